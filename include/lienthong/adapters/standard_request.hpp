#pragma once
// The standard request the hub hands an adapter for an envelope message,
// whether it is sent at once or later from the delivery queue: POST of the
// JSON body to the service's path, with who sends it, why and under which ids.

#include <string>

#include "lienthong/net/http_message.hpp"

namespace lienthong::registry {
struct ServiceEntry;
}

namespace lienthong::adapters {

struct MessageContext {
  std::string message_id;
  std::string request_id;
  std::string consumer;
  std::string user_id;  // may be empty
  std::string purpose;  // may be empty
};

// `service.provider->endpoint` must be set.
net::HttpRequest standard_request(const registry::ServiceEntry& service,
                                  const MessageContext& context, std::string body);

}  // namespace lienthong::adapters

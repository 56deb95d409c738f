#include "lienthong/adapters/standard_request.hpp"

#include "lienthong/registry/snapshot.hpp"

namespace lienthong::adapters {

net::HttpRequest standard_request(const registry::ServiceEntry& service,
                                  const MessageContext& context, std::string body) {
  net::HttpRequest call;
  call.method = "POST";
  call.target = service.provider->endpoint->base_path + service.provider_path;
  call.headers = {{"Content-Type", "application/json"},
                  {"Accept", "application/json"},
                  {"X-Lienthong-Message-Id", context.message_id},
                  {"X-Lienthong-Request-Id", context.request_id},
                  {"X-Lienthong-Client", context.consumer},
                  {"X-Lienthong-Service", service.key}};
  if (!context.user_id.empty())
    call.headers.push_back({"X-Lienthong-User-Id", context.user_id});
  if (!context.purpose.empty())
    call.headers.push_back({"X-Lienthong-Purpose", context.purpose});
  call.body = std::move(body);
  return call;
}

}  // namespace lienthong::adapters

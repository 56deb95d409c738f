#pragma once
// RFC 9457 problem+json responses: the only way the hub reports an error.

#include <string>

#include "lienthong/core/error.hpp"
#include "lienthong/net/http_message.hpp"

namespace lienthong::net {

struct ProblemContext {
  std::string message_id;  // may be empty
  std::string request_id;
  std::string instance;  // the request path
};

// {"type", "title", "status", "detail", "instance", "code", "messageId",
//  "requestId", "errors": [{"pointer", "detail"}]}
HttpResponse problem_response(const Error& error, const ProblemContext& context);

}  // namespace lienthong::net

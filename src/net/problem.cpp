#include "lienthong/net/problem.hpp"

#include <nlohmann/json.hpp>

#include "lienthong/core/json_text.hpp"

namespace lienthong::net {

HttpResponse problem_response(const Error& error, const ProblemContext& context) {
  const ErrorInfo& info = describe(error.code);
  nlohmann::json body{
      {"type", "urn:lienthong:problem:" + std::string(info.code)},
      {"title", info.title},
      {"status", info.http_status},
      {"detail", error.detail},
      {"code", info.code},
      {"requestId", context.request_id},
  };
  if (!context.instance.empty())
    body["instance"] = context.instance;
  if (!context.message_id.empty())
    body["messageId"] = context.message_id;
  if (!error.fields.empty()) {
    auto& errors = body["errors"];
    for (const auto& field : error.fields) {
      errors.push_back({{"pointer", field.pointer}, {"detail", field.detail}});
    }
  }
  // Invalid UTF-8 from a caller must not turn an error report into an exception.
  auto response = net::HttpResponse::with_body(info.http_status, to_json_text(body),
                                               "application/problem+json");
  response.headers.push_back({"X-Request-Id", context.request_id});
  return response;
}

}  // namespace lienthong::net

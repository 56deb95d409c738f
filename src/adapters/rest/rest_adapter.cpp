#include "rest_adapter.hpp"

#include "lienthong/core/json_text.hpp"
#include "lienthong/net/http_client.hpp"

#include "../json_body.hpp"
#include "../provider_credentials.hpp"

namespace lienthong::adapters::rest {

namespace {

// Replaces a JSON body by its mapped form.
Status map_body(std::string& body, const mapping::FieldMapping& mapping, ErrorCode failure,
                int max_depth) {
  auto document = parse_json_text(body, max_depth, failure, "the body");
  if (!document.has_value())
    return std::move(document).error();
  auto mapped = map_json(std::move(document).value(), &mapping, failure);
  if (!mapped.has_value())
    return std::move(mapped).error();
  body = to_json_text(mapped.value());
  return Ok{};
}

}  // namespace

boost::asio::awaitable<Result<net::HttpResponse>> RestAdapter::call(
    const registry::ServiceEntry& service, net::HttpRequest request) {
  if (auto ready = credentials_ready(*service.provider); !ready.has_value())
    co_return std::move(ready).error();
  if (service.request_mapping && !request.body.empty()) {
    if (auto mapped = map_body(request.body, *service.request_mapping,
                               ErrorCode::kClientMappingFailed, options_.max_json_depth);
        !mapped.has_value())
      co_return std::move(mapped).error();
  }
  add_http_basic(*service.provider, request.headers);
  auto answer =
      co_await http_.send(*service.provider->endpoint, std::move(request), service.timeout);
  if (!answer.has_value() || !service.response_mapping)
    co_return answer;
  // Only answers the pipeline passes on are mapped; a provider's error body
  // is not in the shape the mapping expects.
  net::HttpResponse& reply = answer.value();
  if (reply.status >= 200 && reply.status < 300) {
    if (auto mapped = map_body(reply.body, *service.response_mapping,
                               ErrorCode::kProviderMappingFailed, options_.max_json_depth);
        !mapped.has_value())
      co_return std::move(mapped).error();
  }
  co_return answer;
}

}  // namespace lienthong::adapters::rest

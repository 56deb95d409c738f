#include "soap_adapter.hpp"

#include <nlohmann/json.hpp>

#include "lienthong/core/json_text.hpp"
#include "lienthong/net/http_client.hpp"
#include "lienthong/registry/snapshot.hpp"

#include "../json_body.hpp"
#include "../provider_credentials.hpp"
#include "soap_envelope.hpp"

namespace lienthong::adapters::soap {

using nlohmann::json;

namespace {

// The provider request: POST of the envelope, with the hub's own
// X-Lienthong-* headers kept and the SOAP version's media type and action.
net::HttpRequest soap_request(const SoapBinding& binding, net::HttpRequest&& request,
                              std::string envelope) {
  net::HttpRequest out;
  out.method = "POST";
  out.target = std::move(request.target);
  for (auto& header : request.headers) {
    if (header.name.starts_with("X-Lienthong-"))
      out.headers.push_back(std::move(header));
  }
  if (binding.version == SoapVersion::k11) {
    out.headers.push_back({"Content-Type", "text/xml; charset=utf-8"});
    out.headers.push_back({"Accept", "text/xml"});
    out.headers.push_back({"SOAPAction", "\"" + binding.action + "\""});
  } else {
    std::string type = "application/soap+xml; charset=utf-8";
    if (!binding.action.empty())
      type += "; action=\"" + binding.action + "\"";
    out.headers.push_back({"Content-Type", std::move(type)});
    out.headers.push_back({"Accept", "application/soap+xml"});
  }
  out.body = std::move(envelope);
  return out;
}

}  // namespace

boost::asio::awaitable<Result<net::HttpResponse>> SoapAdapter::call(
    const registry::ServiceEntry& service, net::HttpRequest request) {
  auto binding =
      SoapBinding::from_config(service.adapter_config ? *service.adapter_config : json::object());
  if (!binding.has_value()) {
    // The registration's fault, not the provider's (and not for its breaker).
    co_return make_error(
        ErrorCode::kServerInternal,
        "the service is registered as SOAP but its adapter_config." + binding.error().detail);
  }

  if (auto ready = credentials_ready(*service.provider); !ready.has_value())
    co_return std::move(ready).error();

  auto body = request.body.empty() ? Result<json>(json::object())
                                   : parse_json_text(request.body, options_.max_json_depth,
                                                     ErrorCode::kClientMappingFailed, "the body");
  if (!body.has_value())
    co_return std::move(body).error();
  auto mapped = map_json(std::move(body).value(), service.request_mapping.get(),
                         ErrorCode::kClientMappingFailed);
  if (!mapped.has_value())
    co_return std::move(mapped).error();
  auto envelope = build_request(binding.value(), mapped.value(), request.headers,
                                options_.max_json_depth, service.provider->provider_auth.get());
  if (!envelope.has_value())
    co_return std::move(envelope).error();

  // Named, not a temporary argument: GCC 12 can destroy a temporary passed
  // by value to a coroutine inside co_await twice.
  auto call = soap_request(binding.value(), std::move(request), std::move(envelope).value());
  add_http_basic(*service.provider, call.headers);
  auto answer = co_await http_.send(*service.provider->endpoint, std::move(call), service.timeout);
  if (!answer.has_value())
    co_return std::move(answer).error();
  const net::HttpResponse& reply = answer.value();

  // A Fault comes with 500 (1.1) or 400/500 (1.2); read the body first so
  // the fault's reason reaches the caller.
  auto payload = read_response(binding.value(), reply.body, options_.max_json_depth);
  if (!payload.has_value()) {
    if (payload.error().code != ErrorCode::kProviderFault && reply.status >= 300) {
      co_return make_error(ErrorCode::kProviderError,
                           "the provider answered HTTP " + std::to_string(reply.status));
    }
    co_return std::move(payload).error();
  }
  if (reply.status < 200 || reply.status >= 300) {
    co_return make_error(ErrorCode::kProviderError,
                         "the provider answered HTTP " + std::to_string(reply.status));
  }
  auto standard = map_json(std::move(payload).value(), service.response_mapping.get(),
                           ErrorCode::kProviderMappingFailed);
  if (!standard.has_value())
    co_return std::move(standard).error();
  co_return net::HttpResponse::with_body(200, to_json_text(standard.value()));
}

}  // namespace lienthong::adapters::soap

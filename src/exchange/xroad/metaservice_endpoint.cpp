// listMethods, allowedMethods and getOpenAPI, answered by the hub from the
// registry snapshot for a provider. Only GET, as in X-Road.
#include "lienthong/pipeline/stages.hpp"
#include "lienthong/policy/agreement_check.hpp"

#include "../discovery/service_openapi.hpp"
#include "../exchange_context.hpp"
#include "xroad_metaservices.hpp"

namespace lienthong::exchange::xroad {
using net::HttpResponse;

Result<HttpResponse> metaservice(const ExchangeContext& exchange,
                                 const registry::SystemEntry& caller, std::string_view service_code,
                                 std::string_view query) {
  const registry::Snapshot& snapshot = *exchange.snapshot;
  const registry::SystemEntry* provider = snapshot.system(exchange.record.provider);
  if (provider == nullptr) {
    return make_error(ErrorCode::kClientUnknownService, "no system " + exchange.record.provider);
  }
  if (exchange.request.method != "GET")
    return make_error(ErrorCode::kClientMethodNotAllowed, "metaservices answer GET only");
  HttpResponse response;
  if (service_code == "listMethods" || service_code == "allowedMethods") {
    const auto* only_for = service_code == "allowedMethods" ? &caller : nullptr;
    response = HttpResponse::with_body(
        200, methods_json(snapshot, *provider, only_for, exchange.request.received_at));
  } else if (service_code == "getOpenAPI") {
    const auto code = query_parameter(query, "serviceCode");
    if (code.empty())
      return make_error(ErrorCode::kClientBadRequest, "getOpenAPI needs ?serviceCode=CODE");
    auto service = pipeline::resolve_service_version(snapshot, provider->key + "/" + code,
                                                     query_parameter(query, "serviceVersion"),
                                                     "add &serviceVersion=VERSION");
    if (!service.has_value())
      return std::move(service).error();
    auto agreement =
        policy::find_agreement(snapshot, caller, *service.value(),
                               service.value()->service_id.version, exchange.request.received_at);
    response = HttpResponse::with_body(
        200, service_openapi_json(*service.value(),
                                  agreement.has_value() ? agreement.value() : nullptr));
  } else {
    return make_error(
        ErrorCode::kClientUnknownService,
        "the X-Road metaservice " + std::string(service_code) + " is not offered by this hub");
  }
  response.headers.push_back({"X-Road-Id", exchange.message_id});
  response.headers.push_back({"X-Road-Client", exchange.record.consumer});
  response.headers.push_back({"X-Road-Service", provider->key + "/" + std::string(service_code)});
  response.headers.push_back({"X-Road-Request-Id", exchange.record.request_id});
  return response;
}

}  // namespace lienthong::exchange::xroad

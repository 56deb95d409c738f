// Discovery on the exchange listener: which services may this caller use,
// and how is each one called. Authenticated and audited like a message.
#include "lienthong/exchange/catalog.hpp"
#include "lienthong/exchange/service_description.hpp"
#include "lienthong/policy/agreement_check.hpp"

#include "exchange_state.hpp"

namespace lienthong::exchange {
using net::HttpResponse;

// The services this caller may use now.
Result<HttpResponse> ExchangeHandler::catalog(Exchange& exchange) {
  auto caller = identify(exchange);
  if (!caller.has_value())
    return std::move(caller).error();
  return json_response(
      200, catalog_json(*exchange.snapshot, *caller.value(), exchange.request.received_at),
      exchange.record.request_id);
}

// GET /exchange/v1/services/INSTANCE/CLASS/MEMBER/SYSTEM/SERVICE/VERSION/openapi:
// any authenticated system may read a service's description (it needs it to
// ask for an agreement); with an agreement, the description shows its terms.
Result<HttpResponse> ExchangeHandler::service_description(Exchange& exchange) {
  auto caller = identify(exchange);
  if (!caller.has_value())
    return std::move(caller).error();
  const registry::Snapshot& snapshot = *exchange.snapshot;
  auto path = exchange.request.path();
  const auto key = path.substr(kServicesPrefix.size(),
                               path.size() - kServicesPrefix.size() - kOpenApiSuffix.size());
  const registry::ServiceEntry* service = snapshot.service(key);
  if (service == nullptr || !service->provider->endpoint)
    return make_error(ErrorCode::kClientUnknownService, "no active service " + std::string(key));
  exchange.record.provider = service->provider->key;
  exchange.record.service = service->service_id.service_code;
  exchange.record.service_version = service->service_id.version;
  auto agreement =
      policy::find_agreement(snapshot, *caller.value(), *service, service->service_id.version,
                             exchange.request.received_at);
  return json_response(
      200, service_openapi_json(*service, agreement.has_value() ? agreement.value() : nullptr),
      exchange.record.request_id);
}

}  // namespace lienthong::exchange

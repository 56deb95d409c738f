// Discovery on the exchange listener: which services may this caller use,
// and how is each one called. Authenticated and audited like a message; the
// API's own description needs no credential.
#include "lienthong/pipeline/stages.hpp"
#include "lienthong/policy/agreement_check.hpp"

#include "../exchange_context.hpp"
#include "catalog_document.hpp"
#include "service_openapi.hpp"

namespace lienthong::embedded {
std::vector<std::pair<std::string_view, std::string_view>> exchange_openapi();
}  // namespace lienthong::embedded

namespace lienthong::exchange {

// The services this caller may use now.
Outcome catalog(ExchangeContext& exchange, const NodeParts& node) {
  auto caller = identify_caller(exchange, node);
  if (!caller.has_value())
    co_return std::move(caller).error();
  co_return json_response(
      200, catalog_json(*exchange.snapshot, *caller.value(), exchange.request.received_at),
      exchange.record.request_id);
}

// GET /exchange/v1/services/INSTANCE/CLASS/MEMBER/SYSTEM/SERVICE/VERSION/openapi:
// any authenticated system may read a service's description (it needs it to
// ask for an agreement); with an agreement, the description shows its terms.
Outcome service_description(ExchangeContext& exchange, const NodeParts& node) {
  auto caller = identify_caller(exchange, node);
  if (!caller.has_value())
    co_return std::move(caller).error();
  const registry::Snapshot& snapshot = *exchange.snapshot;
  const auto path = exchange.request.path();
  const auto key = path.substr(kServicesPrefix.size(),
                               path.size() - kServicesPrefix.size() - kOpenApiSuffix.size());
  auto service = pipeline::resolve_service(snapshot, key);
  if (!service.has_value())
    co_return std::move(service).error();
  exchange.record.provider = service.value()->provider->key;
  exchange.record.service = service.value()->service_id.service_code;
  exchange.record.service_version = service.value()->service_id.version;
  auto agreement =
      policy::find_agreement(snapshot, *caller.value(), *service.value(),
                             service.value()->service_id.version, exchange.request.received_at);
  co_return json_response(
      200,
      service_openapi_json(*service.value(), agreement.has_value() ? agreement.value() : nullptr),
      exchange.record.request_id);
}

// docs/openapi/exchange-v1.json: it says nothing about any member.
Outcome exchange_openapi(ExchangeContext& exchange, const NodeParts&) {
  co_return json_response(200, std::string(embedded::exchange_openapi().front().second),
                          exchange.record.request_id);
}

}  // namespace lienthong::exchange

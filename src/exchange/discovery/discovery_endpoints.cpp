// Discovery on the exchange listener: which services may this caller use,
// and how is each one called. Authenticated and audited like a message; the
// API's own description needs no credential.
#include <type_traits>

#include "lienthong/federation/held_catalogues.hpp"
#include "lienthong/pipeline/stages.hpp"
#include "lienthong/policy/agreement_check.hpp"

#include "../exchange_context.hpp"
#include "catalog_document.hpp"
#include "service_openapi.hpp"

namespace lienthong::embedded {
std::vector<std::pair<std::string_view, std::string_view>> exchange_openapi();
}  // namespace lienthong::embedded

namespace lienthong::exchange {
namespace {

// A member of a peer's catalogue entry, or `otherwise` when it is absent or
// of another type: a peer's document is read, never trusted to be well formed.
template <class T>
T member_or(const nlohmann::json& entry, const char* name, T otherwise) {
  const auto found = entry.find(name);
  if (found == entry.end())
    return otherwise;
  if constexpr (std::is_same_v<T, bool>)
    return found->is_boolean() ? found->get<bool>() : otherwise;
  else
    return found->is_string() ? found->get<std::string>() : otherwise;
}

// What the active peers' valid catalogues offer this hub's systems: each
// service with its provider's instance and the peer it is reached through.
nlohmann::json remote_services(const registry::Snapshot& snapshot,
                               const federation::HeldCatalogues& held,
                               std::chrono::system_clock::time_point now) {
  nlohmann::json services = nlohmann::json::array();
  for (const auto& peer : snapshot.peers()) {
    const auto catalogue = held.valid(peer.id, now);
    if (!catalogue)
      continue;
    for (const auto& entry : catalogue->services) {
      if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string())
        continue;
      const std::string& id = entry["id"].get_ref<const std::string&>();
      const auto slash = id.rfind('/');
      services.push_back({{"instance", id.substr(0, id.find('/'))},
                          {"via", peer.instance},
                          {"provider", id.substr(0, slash)},
                          {"service", slash == std::string::npos ? id : id.substr(slash + 1)},
                          {"version", member_or<std::string>(entry, "version", "")},
                          {"name", member_or<std::string>(entry, "name", "")},
                          {"purposeRequired", member_or(entry, "require_purpose", true)},
                          {"catalogueVersion", catalogue->version}});
    }
  }
  return services;
}

}  // namespace

// The services this caller may use now.
Outcome catalog(ExchangeContext& exchange, const NodeParts& node) {
  auto caller = identify_caller(exchange, node);
  if (!caller.has_value())
    co_return std::move(caller).error();
  std::optional<nlohmann::json> remote;
  if (node.deps.held_catalogues)
    remote = remote_services(*exchange.snapshot, *node.deps.held_catalogues,
                             exchange.request.received_at);
  co_return json_response(200,
                          catalog_json(*exchange.snapshot, *caller.value(),
                                       exchange.request.received_at, remote ? &*remote : nullptr),
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

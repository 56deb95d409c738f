#include "peer_route.hpp"

#include <algorithm>

#include "lienthong/core/identifiers.hpp"
#include "lienthong/federation/catalogue_publisher.hpp"
#include "lienthong/federation/peer_routes.hpp"

namespace lienthong::exchange {

namespace {

// The peer a request goes to, before our outbound rules are asked.
Result<const registry::PeerEntry*> next_hub(const registry::Snapshot& snapshot,
                                            const NodeParts& node, std::string_view provider,
                                            std::string_view service, std::string_view version,
                                            const PeerCrossing* crossing,
                                            std::chrono::system_clock::time_point now) {
  const registry::PeerEntry* none = nullptr;
  if (!node.deps.catalogues)
    return none;
  const auto addressee = SystemId::parse(provider);
  if (!addressee || addressee->instance == node.deps.catalogues->instance())
    return none;
  const std::string key = std::string(provider) + "/" + std::string(service);
  const std::string_view came_from = crossing ? std::string_view(crossing->peer.instance) : "";
  if (crossing != nullptr &&
      std::find(crossing->peer.published_keys.begin(), crossing->peer.published_keys.end(), key) ==
          crossing->peer.published_keys.end()) {
    return make_error(ErrorCode::kClientUnknownService,
                      "no service " + key + " is passed on to " + crossing->peer.instance);
  }
  if (node.deps.held_catalogues) {
    const auto route = federation::route_to(snapshot, *node.deps.held_catalogues, provider, service,
                                            version, now, came_from);
    if (route.peer != nullptr)
      return route.peer;
  }
  const registry::PeerEntry* peer = snapshot.peer_by_instance(addressee->instance);
  if (peer == nullptr || peer->instance == came_from) {
    return make_error(ErrorCode::kClientUnknownService,
                      "no peer hub of instance " + addressee->instance +
                          " is registered here, and no peer's catalogue offers " + key +
                          (version.empty() ? " (in one version only: name the version)" : ""));
  }
  return peer;
}

}  // namespace

Result<const registry::PeerEntry*> peer_route(const registry::Snapshot& snapshot,
                                              const NodeParts& node, std::string_view consumer,
                                              std::string_view provider, std::string_view service,
                                              std::string_view version,
                                              const PeerCrossing* crossing,
                                              std::chrono::system_clock::time_point now) {
  auto peer = next_hub(snapshot, node, provider, service, version, crossing, now);
  if (!peer.has_value() || peer.value() == nullptr)
    return peer;
  const std::string key = std::string(provider) + "/" + std::string(service);
  if (!peer.value()->lets_out(consumer, key)) {
    return make_error(ErrorCode::kClientNoAgreement, "this hub's outbound rules for peer hub " +
                                                         peer.value()->instance + " do not let " +
                                                         std::string(consumer) + " reach " + key);
  }
  return peer;
}

bool published_to(const registry::ServiceEntry& service, const registry::PeerEntry& peer) {
  if (!peer.published)
    return false;
  const std::string id = service.provider->key + "/" + service.service_id.service_code;
  for (const auto& entry : *peer.published) {
    const auto found = entry.find("id");
    if (found != entry.end() && *found == id &&
        entry.value("version", "") == service.service_id.version)
      return true;
  }
  return false;
}

}  // namespace lienthong::exchange

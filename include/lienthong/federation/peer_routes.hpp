#pragma once
// Which peer hub a service of another instance is reached through, and what
// a hub passes on of one peer's catalogue to another (transit, e.g. the
// national hub between two provinces; docs/federation.md). Both read only
// the peers' valid catalogues this node holds.

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lienthong/federation/held_catalogues.hpp"

namespace lienthong::registry {
class Snapshot;
struct PeerEntry;
}  // namespace lienthong::registry

namespace lienthong::federation {

using TimePoint = std::chrono::system_clock::time_point;

struct PeerRoute {
  const registry::PeerEntry* peer = nullptr;  // null: no peer offers the service
  std::shared_ptr<const HeldCatalogue> catalogue;
};

// The peer of `provider`'s instance when its valid catalogue lists the
// service at `version` (empty: its only version); otherwise the first other active peer whose valid
// catalogue lists it (a hub that passes it on). `provider` is
// INSTANCE/CLASS/MEMBER/SYSTEM. Never through `except_instance` (the hub a
// request came from).
PeerRoute route_to(const registry::Snapshot& snapshot, const HeldCatalogues& held,
                   std::string_view provider, std::string_view service, std::string_view version,
                   TimePoint now, std::string_view except_instance = {});

struct TransitEntries {
  nlohmann::json services = nlohmann::json::array();
  // The earliest expiry among the catalogues they were copied from: a
  // catalogue that passes them on may not outlive them.
  std::optional<TimePoint> expires_at;
};

// The catalogue entries of the keys published to `audience` that belong to
// another instance than `own_instance`, copied from the valid catalogue of
// the peer they are reached through (never from `audience` itself).
TransitEntries transit_entries(const registry::Snapshot& snapshot, const HeldCatalogues& held,
                               const registry::PeerEntry& audience, std::string_view own_instance,
                               TimePoint now);

}  // namespace lienthong::federation

#include "lienthong/federation/peer_routes.hpp"

#include "lienthong/registry/snapshot.hpp"

namespace lienthong::federation {
namespace {

// The instance of a PROVIDER or PROVIDER/SERVICE key: its first part.
std::string_view instance_of(std::string_view key) {
  return key.substr(0, key.find('/'));
}

// Every entry of `catalogue` whose id is `key`, all versions.
void copy_entries(const HeldCatalogue& catalogue, const std::string& key, nlohmann::json& into) {
  for (const auto& entry : catalogue.services) {
    const auto id = entry.is_object() ? entry.find("id") : entry.end();
    if (id != entry.end() && *id == key)
      into.push_back(entry);
  }
}

bool lists(const HeldCatalogue& catalogue, const std::string& key) {
  for (const auto& entry : catalogue.services) {
    const auto id = entry.is_object() ? entry.find("id") : entry.end();
    if (id != entry.end() && *id == key)
      return true;
  }
  return false;
}

}  // namespace

PeerRoute route_to(const registry::Snapshot& snapshot, const HeldCatalogues& held,
                   std::string_view provider, std::string_view service, std::string_view version,
                   TimePoint now, std::string_view except_instance) {
  if (const auto* direct = snapshot.peer_by_instance(instance_of(provider));
      direct != nullptr && direct->instance != except_instance) {
    auto catalogue = held.valid(direct->id, now);
    if (catalogue && catalogue->find(provider, service, version) != nullptr)
      return {direct, std::move(catalogue)};
  }
  for (const auto& peer : snapshot.peers()) {
    if (peer.instance == except_instance)
      continue;
    auto catalogue = held.valid(peer.id, now);
    if (catalogue && catalogue->find(provider, service, version) != nullptr)
      return {&peer, std::move(catalogue)};
  }
  return {};
}

TransitEntries transit_entries(const registry::Snapshot& snapshot, const HeldCatalogues& held,
                               const registry::PeerEntry& audience, std::string_view own_instance,
                               TimePoint now) {
  TransitEntries out;
  for (const std::string& key : audience.published_keys) {
    const std::string_view instance = instance_of(key);
    if (instance == own_instance || instance == audience.instance)
      continue;
    // The peer of that instance first, else any other that offers it.
    std::shared_ptr<const HeldCatalogue> source;
    if (const auto* direct = snapshot.peer_by_instance(instance)) {
      source = held.valid(direct->id, now);
      if (source && !lists(*source, key))
        source.reset();
    }
    for (const auto& peer : snapshot.peers()) {
      if (source)
        break;
      if (peer.id == audience.id)
        continue;
      auto candidate = held.valid(peer.id, now);
      if (candidate && lists(*candidate, key))
        source = std::move(candidate);
    }
    if (!source)
      continue;  // not offered to us now: left out until it is
    copy_entries(*source, key, out.services);
    if (!out.expires_at || source->expires_at < *out.expires_at)
      out.expires_at = source->expires_at;
  }
  return out;
}

}  // namespace lienthong::federation

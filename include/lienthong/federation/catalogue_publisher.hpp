#pragma once
// Issues this hub's catalogue to each of its peer hubs: the services
// published to that peer, signed with the hub's catalogue key. Every node of
// a hub issues the same version for the same registry (the registry's change
// count), so a peer that pulls from any node sees versions only grow.

#include <chrono>
#include <string>

#include "lienthong/audit/signing_key.hpp"
#include "lienthong/federation/catalogue_token.hpp"
#include "lienthong/federation/peer_routes.hpp"

namespace lienthong::registry {
struct PeerEntry;
}

namespace lienthong::federation {

class CataloguePublisher {
 public:
  CataloguePublisher(std::string instance, audit::SigningKey key, std::chrono::seconds lifetime)
      : instance_(std::move(instance)), key_(std::move(key)), lifetime_(lifetime) {}

  // The catalogue token for `peer` as of registry change `version`, issued
  // `now`: our services published to it, then the other hubs' services we
  // pass on to it (`transit`, peer_routes.hpp), expiring no later than they do.
  std::string issue(const registry::PeerEntry& peer, std::int64_t version, TimePoint now,
                    const TransitEntries& transit = {}) const;

  const std::string& instance() const { return instance_; }
  const audit::SigningKey& key() const { return key_; }

 private:
  std::string instance_;
  audit::SigningKey key_;
  std::chrono::seconds lifetime_;
};

}  // namespace lienthong::federation

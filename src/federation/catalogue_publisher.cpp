#include "lienthong/federation/catalogue_publisher.hpp"

#include "lienthong/registry/snapshot.hpp"

namespace lienthong::federation {

std::string CataloguePublisher::issue(const registry::PeerEntry& peer, std::int64_t version,
                                      TimePoint now, const TransitEntries& transit) const {
  CatalogueClaims claims;
  claims.issuer = instance_;
  claims.audience = peer.instance;
  claims.version = version;
  // Whole seconds, as the token carries them.
  claims.issued_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
  claims.expires_at = claims.issued_at + lifetime_;
  if (peer.published)
    claims.services = *peer.published;
  for (const auto& entry : transit.services)
    claims.services.push_back(entry);
  if (transit.expires_at && *transit.expires_at < claims.expires_at)
    claims.expires_at = std::chrono::time_point_cast<std::chrono::seconds>(*transit.expires_at);
  return sign_catalogue(claims, key_);
}

}  // namespace lienthong::federation

#include "lienthong/federation/catalogue_publisher.hpp"

#include "lienthong/registry/snapshot.hpp"

namespace lienthong::federation {

std::string CataloguePublisher::issue(const registry::PeerEntry& peer, std::int64_t version,
                                      TimePoint now) const {
  CatalogueClaims claims;
  claims.issuer = instance_;
  claims.audience = peer.instance;
  claims.version = version;
  // Whole seconds, as the token carries them.
  claims.issued_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
  claims.expires_at = claims.issued_at + lifetime_;
  if (peer.published)
    claims.services = *peer.published;
  return sign_catalogue(claims, key_);
}

}  // namespace lienthong::federation

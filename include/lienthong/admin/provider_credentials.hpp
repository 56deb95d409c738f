#pragma once
// Changing the key that seals provider credentials without a gap in service:
// every node gets the new key as provider.credentials_key and the old one as
// provider.previous_credentials_key (both open, the new one seals); then
// `lienthong provider-credentials reseal` seals every registration again
// with the new key; then the previous key is removed from the nodes.

#include <string>

#include "lienthong/core/result.hpp"

namespace lienthong {
struct SealingKeys;
}

namespace lienthong::admin {

struct ResealReport {
  int resealed = 0;         // were sealed with keys.previous, now with keys.current
  int already_current = 0;  // were sealed with keys.current
};

// In one transaction: every registration sealed with `keys.previous` is
// opened and sealed again with `keys.current`, each logged as an admin
// change ("reseal", without secrets) by `actor`. Changes nothing, and says
// which, when a registration does not open or was sealed with a key that is
// neither (Client.Conflict).
Result<ResealReport> reseal_provider_credentials(const std::string& database_url,
                                                 const SealingKeys& keys, const std::string& actor);

}  // namespace lienthong::admin

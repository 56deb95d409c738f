#pragma once
// Discovery: which services may this caller use now, and how? Answered from
// the registry snapshot, so it lists exactly what the exchange path allows.

#include <chrono>
#include <string>

#include "lienthong/registry/snapshot.hpp"

namespace lienthong::exchange {

// {"services": [{"id", "provider", "service", "version", "name",
//   "purposeRequired", "hasRequestSchema", "hasResponseSchema", "agreementId", "validUntil"}]}
// for every active service an approved agreement lets `caller` use at `now`.
std::string catalog_json(const registry::Snapshot& snapshot, const registry::SystemEntry& caller,
                         std::chrono::system_clock::time_point now);

}  // namespace lienthong::exchange

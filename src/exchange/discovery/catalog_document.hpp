#pragma once
// Discovery: which services may this caller use now, and how? Answered from
// the registry snapshot, so it lists exactly what the exchange path allows.

#include <chrono>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/registry/snapshot.hpp"

namespace lienthong::exchange {

// {"services": [{"id", "provider", "service", "version", "name",
//   "purposeRequired", "hasRequestSchema", "hasResponseSchema", "agreementId", "validUntil"}]}
// for every active service an approved agreement lets `caller` use at `now`.
// With "remoteServices" when `remote` is not null: the services peer hubs
// publish to this hub, each with its "instance" (whether the caller may use
// one is decided by the provider's hub, with its own agreement).
std::string catalog_json(const registry::Snapshot& snapshot, const registry::SystemEntry& caller,
                         std::chrono::system_clock::time_point now,
                         const nlohmann::json* remote = nullptr);

}  // namespace lienthong::exchange

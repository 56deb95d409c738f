#pragma once
// Reads the registry from PostgreSQL into a new Snapshot. Blocking: call it
// from a loader thread or at start-up, never on an I/O thread.

#include <cstdint>
#include <string>

#include "lienthong/core/result.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong {
struct SealingKeys;
}

namespace lienthong::registry {

// Loads every active system, its unrevoked certificates and its active
// services in one repeatable-read transaction, so the snapshot is consistent.
// Rows that fail validation (e.g. a malformed base URL) are skipped and named
// in `warnings`; the rest of the registry still loads. Provider credentials
// are opened with the key of `sealing_keys` that sealed them; without it (or
// when they do not open) the system's entry says they are unavailable, and
// calls to it are refused.
Result<SnapshotPtr> load_snapshot(const std::string& database_url, std::uint64_t version,
                                  std::vector<std::string>* warnings = nullptr,
                                  const SealingKeys* sealing_keys = nullptr);

}  // namespace lienthong::registry

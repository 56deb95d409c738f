#pragma once
// May this caller use this service now? Answered from the snapshot's approved
// agreements; the second stage of every exchange after authentication.

#include <chrono>
#include <optional>
#include <string_view>

#include "lienthong/core/result.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::policy {

// A REST call's method and path below the service (e.g. "GET", "/pets/7").
struct Operation {
  std::string_view method;
  std::string_view path;
};

// True when `path` matches `pattern`: segment by segment, '*' matches one
// segment and a final '**' any rest (including nothing).
bool path_matches(std::string_view pattern, std::string_view path);

// The agreement that allows `consumer` to call `service` in `version` at
// `now` (and, for REST calls, `operation`). Client.AgreementExpired when
// agreements exist but none is valid at `now`; Client.OperationNotAllowed
// when valid ones exist but none allows the method and path;
// Client.NoAgreement when none covers the service and version.
Result<const registry::AgreementEntry*> find_agreement(
    const registry::Snapshot& snapshot, const registry::SystemEntry& consumer,
    const registry::ServiceEntry& service, std::string_view version,
    std::chrono::system_clock::time_point now,
    const std::optional<Operation>& operation = std::nullopt);

}  // namespace lienthong::policy

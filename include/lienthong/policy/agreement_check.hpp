#pragma once
// May this caller use this service now? Answered from the snapshot's approved
// agreements; the second stage of every exchange after authentication.

#include <chrono>
#include <string_view>

#include "lienthong/core/result.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::policy {

// The agreement that allows `consumer` to call `service` in `version` at
// `now`. Client.AgreementExpired when agreements exist but none is valid at
// `now`; Client.NoAgreement when none covers the service and version.
Result<const registry::AgreementEntry*> find_agreement(const registry::Snapshot& snapshot,
                                                       const registry::SystemEntry& consumer,
                                                       const registry::ServiceEntry& service,
                                                       std::string_view version,
                                                       std::chrono::system_clock::time_point now);

}  // namespace lienthong::policy

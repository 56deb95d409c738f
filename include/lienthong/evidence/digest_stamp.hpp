#pragma once
// One trusted timestamp over a SHA-256 digest, start to end: the RFC 3161
// request (with a nonce), the authority's reply over HTTP, the reply
// checked against the pinned CA. The timestamper stamps checkpoint batches
// with it; `lienthong audit archive` seals a month's file.

#include <chrono>
#include <string>
#include <string_view>

#include "lienthong/audit/trusted_timestamp.hpp"
#include "lienthong/core/result.hpp"

namespace lienthong::evidence {

// The authority's checked token over `sha256_digest` (32 raw bytes);
// Provider.Unreachable, Provider.Timeout or Provider.BadResponse otherwise.
Result<audit::TimestampToken> stamp_digest(const std::string& tsa_url, const audit::TsaTrust& trust,
                                           std::string_view sha256_digest,
                                           std::chrono::milliseconds timeout);

}  // namespace lienthong::evidence

#pragma once
// One RFC 3161 request over HTTP (RFC 3161 3.4): POST the DER request as
// application/timestamp-query, read the DER reply. Through the hub's own
// client (deadline, body limit); https:// authorities are checked against
// the system's trust store, their tokens against the pinned TSA CA anyway.

#include <chrono>
#include <string>

#include "lienthong/core/result.hpp"

namespace lienthong::evidence {

// The authority's reply body (a TimeStampResp) to `request_der`, from `url`.
// Provider.Unreachable, Provider.Timeout or Provider.BadResponse otherwise.
Result<std::string> ask_timestamp_authority(const std::string& url, const std::string& request_der,
                                            std::chrono::milliseconds timeout);

}  // namespace lienthong::evidence

#pragma once

#include <chrono>
#include <string>

namespace lienthong {

// RFC 3339 UTC timestamp with microseconds, e.g. "2026-11-27T16:41:00.123456Z".
// Accepted as-is by PostgreSQL's timestamptz.
std::string to_rfc3339(std::chrono::system_clock::time_point time);

}  // namespace lienthong

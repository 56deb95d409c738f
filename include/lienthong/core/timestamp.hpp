#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lienthong {

// RFC 3339 UTC timestamp with microseconds, e.g. "2026-11-27T16:41:00.123456Z".
// Accepted as-is by PostgreSQL's timestamptz.
std::string to_rfc3339(std::chrono::system_clock::time_point time);

// Reads an RFC 3339 date-time ("2026-11-27T16:41:00Z", with optional
// fraction and a Z or ±HH:MM offset) or a plain date ("2026-11-27", midnight
// UTC). nullopt for anything else, including impossible dates.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace lienthong

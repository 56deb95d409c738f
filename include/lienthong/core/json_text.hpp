#pragma once
// JSON text crossing a trust boundary: read with its nesting bounded first,
// written with invalid UTF-8 replaced rather than thrown on.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong {

// True when arrays/objects in `text` nest deeper than `max_depth`. One pass,
// no recursion and no allocation, so a megabyte of '[' cannot exhaust the
// stack of the parser (or of the destructor of what it would build).
bool exceeds_json_depth(std::string_view text, int max_depth);

// `text` parsed, or `failure` saying "<subject> nests deeper than N levels"
// or "<subject> is not JSON". The depth is checked before the parser runs.
Result<nlohmann::json> parse_json_text(std::string_view text, int max_depth, ErrorCode failure,
                                       std::string_view subject);

// Compact JSON text; a string that is not UTF-8 is written with U+FFFD in
// place of its bad bytes instead of throwing.
std::string to_json_text(const nlohmann::json& document);

}  // namespace lienthong

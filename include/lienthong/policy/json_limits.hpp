#pragma once
// Guards applied to untrusted JSON text before any parser sees it.

#include <string_view>

namespace lienthong::policy {

// True when arrays/objects in `text` nest deeper than `max_depth`. One pass,
// no recursion and no allocation, so a megabyte of '[' cannot exhaust the
// stack of the parser (or of the destructor of what it would build).
bool exceeds_json_depth(std::string_view text, int max_depth);

}  // namespace lienthong::policy

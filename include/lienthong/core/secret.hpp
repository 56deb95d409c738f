#pragma once
// Bearer secrets (admin tokens, API keys): 256 random bits, shown once, kept
// only as their SHA-256. A plain hash is enough for secrets this long; a slow
// password hash would only slow down every authenticated request.

#include <string>
#include <string_view>

namespace lienthong {

struct NewSecret {
  std::string secret;  // e.g. "ltk_3f9c…" (prefix + 64 hex digits); show once
  std::string sha256;  // what is stored
  std::string prefix;  // prefix + first 8 hex digits: lets people recognise it, not use it
};

// Throws std::runtime_error if the system's random generator fails.
NewSecret new_secret(std::string_view prefix);

}  // namespace lienthong

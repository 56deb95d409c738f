#pragma once
// Private to src/audit/: OpenSSL's error queue as text, for the detail of
// an error about a key, a certificate or a timestamp.

#include <string>

#include <openssl/err.h>

namespace lienthong::audit {

// The reasons OpenSSL queued on this thread, oldest first, joined with "; "
// (empty when none); the queue is cleared.
inline std::string openssl_reasons() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    out += out.empty() ? "" : "; ";
    out += text;
  }
  return out;
}

}  // namespace lienthong::audit

#pragma once
// Hashing helpers over OpenSSL; never hand-rolled.

#include <string>
#include <string_view>

namespace lienthong {

// Lower-case hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

// Lower-case hex of arbitrary bytes.
std::string to_hex(std::string_view bytes);

}  // namespace lienthong

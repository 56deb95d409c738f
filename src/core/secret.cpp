#include "lienthong/core/secret.hpp"

#include <array>
#include <stdexcept>

#include <openssl/rand.h>

#include "lienthong/core/digest.hpp"

namespace lienthong {

NewSecret new_secret(std::string_view prefix) {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  const std::string hex =
      to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  NewSecret result;
  result.secret = std::string(prefix) + hex;
  result.sha256 = sha256_hex(result.secret);
  result.prefix = std::string(prefix) + hex.substr(0, 8);
  return result;
}

}  // namespace lienthong

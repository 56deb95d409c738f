#include "lienthong/core/message_id.hpp"

#include <array>
#include <chrono>
#include <cstdint>

#include "lienthong/core/digest.hpp"
#include "lienthong/core/id_randomness.hpp"

namespace lienthong {

std::string new_uuid_v7() {
  std::array<unsigned char, 16> bytes{};
  id_random_bytes(bytes.data(), bytes.size());
  const auto millis =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  for (int i = 0; i < 6; ++i)
    bytes[i] = static_cast<unsigned char>(millis >> (40 - 8 * i));
  bytes[6] = static_cast<unsigned char>(0x70 | (bytes[6] & 0x0f));  // version 7
  bytes[8] = static_cast<unsigned char>(0x80 | (bytes[8] & 0x3f));  // RFC variant
  const std::string hex =
      to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

bool is_valid_message_id(std::string_view id) {
  if (id.empty() || id.size() > 128)
    return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

}  // namespace lienthong

#pragma once
// Hashing helpers over OpenSSL; never hand-rolled.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lienthong {

// Lower-case hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

// Raw SHA-256 / SHA-512 of `data` (32 / 64 bytes).
std::string sha256(std::string_view data);
std::string sha512(std::string_view data);
// Raw SHA-1 (20 bytes): only where a protocol fixes it (WS-Security's
// PasswordDigest), never for anything the hub itself relies on.
std::string sha1(std::string_view data);

// SHA-256 of data that arrives in pieces (a file being written).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view data);
  // Lower-case hex of everything passed to update(); call once.
  std::string final_hex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Lower-case hex of arbitrary bytes, and back (either case); nullopt for
// text that is not hex.
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);

// Standard base64 with padding (RFC 4648), and back; nullopt for text that
// is not base64.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace lienthong

#pragma once
// A key that lives in a PKCS#11 token (an HSM; SoftHSM2 in tests) and never
// leaves it: the hub asks the token to use it. Named by an RFC 7512 URI,
// parsed and the module loaded by p11-kit:
//
//   pkcs11:token=lienthong;object=audit-bodies?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/lienthong/token.pin
//
// `token` (or other token attributes) picks the token, `object` the key's
// label; the PIN comes from `pin-source` (a file, "file:" optional) or
// `pin-value`. One logged-in session per object; calls are serialised on it.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lienthong {

class Pkcs11Token {
 public:
  // Loads the module, finds the token, logs in. Throws std::runtime_error
  // naming what is missing or what the token answered.
  static std::shared_ptr<Pkcs11Token> open(const std::string& uri);
  // True when `setting` is a PKCS#11 URI rather than a file path.
  static bool is_uri(std::string_view setting);

  Pkcs11Token(const Pkcs11Token&) = delete;
  Pkcs11Token& operator=(const Pkcs11Token&) = delete;
  ~Pkcs11Token();

  // "<token label>/<object label>": stored with what the key wrapped or
  // signed, so a node holding another key says so.
  const std::string& key_name() const;

  // Generates the URI's object as an AES-256 key the token will not reveal
  // (sensitive, not extractable). Throws when one with that label exists.
  void generate_aes_key();
  // AES-256-GCM with the URI's secret key: nonce (12) || ciphertext || tag
  // (16), `context` bound as associated data. open() gives nullopt when the
  // input was not sealed by this key with this context.
  std::string seal(std::string_view plaintext, std::string_view context) const;
  std::optional<std::string> open(std::string_view sealed, std::string_view context) const;

  // Generates the URI's object as an Ed25519 key pair (private key
  // sensitive, not extractable); returns the public key's 32 bytes.
  // Throws when one with that label exists.
  std::string generate_ed25519_key();
  // The 32 bytes of the URI's Ed25519 public key.
  std::string ed25519_public_key() const;
  // An Ed25519 signature (64 bytes) of `message` by the URI's private key.
  std::string sign(std::string_view message) const;

 private:
  struct Impl;
  explicit Pkcs11Token(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong

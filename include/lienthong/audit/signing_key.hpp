#pragma once
// A node's Ed25519 key for signing audit checkpoints (OpenSSL), and checking
// a signature against a registered public key.

#include <memory>
#include <string>
#include <string_view>

#include "lienthong/core/result.hpp"

namespace lienthong::audit {

class SigningKey {
 public:
  // Loads the PEM private key at `path`, creating one (mode 0600) when the
  // file does not exist. Throws std::runtime_error when it cannot.
  static SigningKey load_or_create(const std::string& path);
  ~SigningKey();
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;

  // Lower-case hex SHA-256 of the raw 32-byte public key: the key's name.
  const std::string& key_id() const { return key_id_; }
  // The public key as PEM (SubjectPublicKeyInfo), for registration.
  const std::string& public_key_pem() const { return public_pem_; }
  // Base64 Ed25519 signature of `message`.
  std::string sign(std::string_view message) const;

 private:
  struct Key;
  explicit SigningKey(std::unique_ptr<Key> key);
  std::unique_ptr<Key> key_;
  std::string key_id_;
  std::string public_pem_;
};

// True when `signature_base64` is a valid Ed25519 signature of `message` by
// the PEM public key; Client.BadRequest when the key cannot be read.
Result<bool> verify_signature(std::string_view public_key_pem, std::string_view message,
                              std::string_view signature_base64);

// The key id of a PEM public key (as SigningKey::key_id), or an error.
Result<std::string> public_key_id(std::string_view public_key_pem);

}  // namespace lienthong::audit

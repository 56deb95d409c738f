#pragma once
// A node's Ed25519 key for signing audit checkpoints and hub-to-hub tokens,
// and checking a signature against a registered public key. OpenSSL reads
// and writes the keys (PEM); libsodium signs and checks. The private key
// may instead live in a PKCS#11 token (core/pkcs11_token.hpp), which signs.

#include <memory>
#include <string>
#include <string_view>

#include "lienthong/core/result.hpp"

namespace lienthong::audit {

class SigningKey {
 public:
  // Loads the PEM private key at `path`, creating one (mode 0600) when the
  // file does not exist; or, when `path` is a PKCS#11 URI, uses the token's
  // Ed25519 key of that label, which must exist (`lienthong hsm
  // generate-signing-key`). Throws std::runtime_error when it cannot.
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

// An Ed25519 public key read once from PEM, for checking many signatures:
// OpenSSL 3's PEM decoder costs several times one verification (a peer
// hub's key, checked on every exchange it passes on).
class VerifyingKey {
 public:
  // Client.BadRequest when `pem` is not an Ed25519 public key.
  static Result<VerifyingKey> from_pem(std::string_view pem);
  // As SigningKey::key_id.
  const std::string& key_id() const { return key_id_; }
  // True when `signature` (the raw 64 bytes) is this key's signature of `message`.
  bool verify(std::string_view message, std::string_view signature) const;

 private:
  struct Key;
  VerifyingKey(std::shared_ptr<const Key> key, std::string key_id)
      : key_(std::move(key)), key_id_(std::move(key_id)) {}
  std::shared_ptr<const Key> key_;
  std::string key_id_;
};

// True when `signature_base64` is a valid Ed25519 signature of `message` by
// the PEM public key; Client.BadRequest when the key cannot be read.
Result<bool> verify_signature(std::string_view public_key_pem, std::string_view message,
                              std::string_view signature_base64);

// The key id of a PEM public key (as SigningKey::key_id), or an error.
Result<std::string> public_key_id(std::string_view public_key_pem);

}  // namespace lienthong::audit

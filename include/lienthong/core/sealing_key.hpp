#pragma once
// A node's key for secrets the hub must give back, not just recognise: the
// passwords providers want from the hub (registered per system). They are
// kept in PostgreSQL sealed with AES-256-GCM (OpenSSL), so a database dump or
// replica holds no usable secret; the key stays in a file beside the hub's
// TLS key. Every node of a cluster needs the same key file.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lienthong {

class SealingKey {
 public:
  // Loads the key at `path` (64 hex digits), creating one (mode 0600, from
  // the system's random generator) when the file does not exist. Throws
  // std::runtime_error when it cannot, or when others may read the file.
  static SealingKey load_or_create(const std::string& path);
  // The same, for a key that must already exist (the previous key during a
  // key change).
  static SealingKey load(const std::string& path);
  // From 32 raw bytes (tests, tools). Throws std::invalid_argument otherwise.
  static SealingKey from_bytes(std::string_view key);

  SealingKey(const SealingKey&) = delete;
  SealingKey& operator=(const SealingKey&) = delete;
  SealingKey(SealingKey&&) noexcept = default;
  SealingKey& operator=(SealingKey&&) noexcept = default;
  ~SealingKey();

  // 16 hex digits naming the key (from a SHA-256 of it), stored with what it
  // seals, so a node holding another key says so instead of failing obscurely.
  const std::string& key_id() const { return key_id_; }

  // nonce (12 bytes) || ciphertext || tag (16 bytes). `context` is bound to
  // the result (GCM's associated data): a sealed value copied to another
  // row, whose context differs, does not open.
  std::string seal(std::string_view plaintext, std::string_view context) const;
  // The plaintext, or nullopt when `sealed` was not sealed by this key with
  // this context, or was altered.
  std::optional<std::string> open(std::string_view sealed, std::string_view context) const;

 private:
  explicit SealingKey(std::string key);
  std::string key_;
  std::string key_id_;
};

// The node's keys: `current` seals; `previous` (during a key change, until
// `lienthong provider-credentials reseal` has run) still opens what it sealed.
struct SealingKeys {
  std::shared_ptr<const SealingKey> current;
  std::shared_ptr<const SealingKey> previous;

  // The key named `key_id`, or null when this node holds no such key.
  const SealingKey* find(std::string_view key_id) const;
};

}  // namespace lienthong

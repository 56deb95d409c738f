#pragma once
// Kept bodies encrypted at rest (migration 0018, docs/evidence.md "Bodies at
// rest"). The writer seals each kept body with AES-256-GCM under a data key
// of the provider's member and the month the record is written; each data
// key is stored only wrapped by the node's key-encryption key (a file, or a
// key in a PKCS#11 token that never leaves it). Readers open bodies through
// a BodyOpener, which checks the opened bytes against the record's SHA-256.
// Shredding a month's data key (`lienthong audit shred-bodies`) makes its
// bodies unreadable for good; the chain covers only their SHA-256.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/core/config.hpp"

namespace pqxx {
class connection_base;
class transaction_base;
}  // namespace pqxx

namespace lienthong {
class SealingKey;
}

namespace lienthong::audit {

// The key-encryption key: wraps and unwraps data keys, never stored with them.
class KeyWrapper {
 public:
  virtual ~KeyWrapper() = default;
  // Names the key in body_keys.kek_id: "file:<16 hex>" or "pkcs11:<token>/<object>".
  virtual const std::string& id() const = 0;
  virtual std::string wrap(std::string_view data_key, std::string_view context) const = 0;
  // nullopt when `wrapped` was not wrapped by this key with this context.
  virtual std::optional<std::string> unwrap(std::string_view wrapped,
                                            std::string_view context) const = 0;
  // True when this node can unwrap what the key named `kek_id` wrapped:
  // this key, or during a key change the one it replaces.
  virtual bool holds(std::string_view kek_id) const { return kek_id == id(); }
  // Unwraps what the key named `kek_id` wrapped (one this node holds).
  virtual std::optional<std::string> unwrap_from(std::string_view /*kek_id*/,
                                                 std::string_view wrapped,
                                                 std::string_view context) const {
    return unwrap(wrapped, context);
  }
};

// The key-encryption key the setting audit.body_key names: a PKCS#11 URI
// (core/pkcs11_token.hpp), or a file of 64 hex digits, created (mode 0600)
// when missing if `create_missing` (the hub; tools only read). Null for an
// empty setting: bodies are kept in the clear. Throws std::runtime_error
// when the key cannot be loaded.
enum class MissingKey { kCreate, kRefuse };
std::shared_ptr<const KeyWrapper> load_key_wrapper(const std::string& setting,
                                                   MissingKey missing = MissingKey::kRefuse);
// During a key change (audit.previous_body_key set): wraps with `current`,
// unwraps with whichever of the two wrapped, until `lienthong audit
// rewrap-body-keys` has moved every data key to `current`. `current` alone
// when `previous` is null.
std::shared_ptr<const KeyWrapper> changing_key_wrapper(std::shared_ptr<const KeyWrapper> current,
                                                       std::shared_ptr<const KeyWrapper> previous);
// audit.body_key, with audit.previous_body_key during a key change.
std::shared_ptr<const KeyWrapper> configured_key_wrapper(const Config& config, MissingKey missing);

// What a wrapped data key is bound to (GCM's associated data): its member
// and month ("2026-11"), so it unwraps for its own row only.
std::string body_key_wrap_context(const std::string& member, const std::string& month);

// The member whose data key seals a record's bodies: its provider's
// ("VN/GOV/000.00.00.G12"), whose service asked for them to be kept.
std::string body_key_member(const AuditRecord& record);

// The writer's side: one per audit writer, used from its thread only.
class BodySealer {
 public:
  explicit BodySealer(std::shared_ptr<const KeyWrapper> wrapper);
  ~BodySealer();

  // Replaces `record`'s kept bodies with their sealed form and names the
  // data key, creating the member's key for `month` first when it has none
  // (its own committed transaction on `connection`, so no record ever names
  // a key that did not commit). A record already sealed is left alone. A
  // month whose key was shredded keeps no body (logged): its SHA-256 stays.
  // Throws on database errors (the batch fails and is retried).
  void seal(pqxx::connection_base& connection, AuditRecord& record, std::chrono::year_month month);

 private:
  struct DataKey;
  const DataKey* key_for(pqxx::connection_base& connection, const std::string& member,
                         std::chrono::year_month month);
  std::shared_ptr<const KeyWrapper> wrapper_;
  std::map<std::pair<std::string, std::chrono::year_month>, std::unique_ptr<DataKey>> keys_;
};

// A reader's side: one per transaction (data keys are looked up in it and
// kept only while it lives, so a shredded key is never served from a cache).
class BodyOpener {
 public:
  // `wrapper` may be null (this node keeps bodies in the clear): a sealed
  // body then cannot be opened and says so.
  BodyOpener(std::shared_ptr<const KeyWrapper> wrapper, pqxx::transaction_base& tx);
  ~BodyOpener();

  // The body `record` keeps under `field` ("request" or "response"), as
  // sent; nullopt when its month's key was shredded. `sealed` is the stored
  // bytes. Throws std::runtime_error when the key or body does not open or
  // the opened bytes differ from the record's SHA-256 (altered in the
  // database), or the node has no key-encryption key.
  std::optional<std::string> open(std::int64_t key, const std::string& request_id,
                                  std::string_view field, std::string_view sealed,
                                  const std::string& sha256);

 private:
  std::shared_ptr<const KeyWrapper> wrapper_;
  pqxx::transaction_base& tx_;
  std::map<std::int64_t, std::shared_ptr<const SealingKey>> keys_;  // null: shredded
};

}  // namespace lienthong::audit

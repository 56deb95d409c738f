#include "lienthong/audit/body_keys.hpp"

#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/identifiers.hpp"
#include "lienthong/core/sealing_key.hpp"

namespace lienthong::audit {
namespace {

constexpr std::size_t kDataKeyBytes = 32;

// What a sealed body is bound to: its record, its field and its key.
std::string body_context(std::int64_t key, const std::string& request_id, std::string_view field) {
  return "lienthong-body-v1 " + std::to_string(key) + " " + request_id + " " + std::string(field);
}

std::string fresh_data_key() {
  std::string key(kDataKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kDataKeyBytes) != 1)
    throw std::runtime_error("no random bytes for a body data key");
  return key;
}

std::string month_date(std::chrono::year_month month) {
  return month_text(month) + "-01";
}

}  // namespace

std::string body_key_wrap_context(const std::string& member, const std::string& month) {
  return "lienthong-body-key-v1 " + member + " " + month;
}

std::string body_key_member(const AuditRecord& record) {
  const auto system = SystemId::parse(record.provider);
  if (!system)
    return "-";  // bodies are kept only once a service was resolved: not reached
  return system->instance + "/" + system->member_class + "/" + system->member_code;
}

struct BodySealer::DataKey {
  std::int64_t id = 0;
  std::shared_ptr<const SealingKey> key;  // null: shredded
};

BodySealer::BodySealer(std::shared_ptr<const KeyWrapper> wrapper) : wrapper_(std::move(wrapper)) {
  if (!wrapper_)
    throw std::invalid_argument("a body sealer needs a key-encryption key");
}

BodySealer::~BodySealer() = default;

void BodySealer::seal(pqxx::connection_base& connection, AuditRecord& record,
                      std::chrono::year_month month) {
  if (record.bodies_key || (!record.request_body && !record.response_body))
    return;
  const std::string member = body_key_member(record);
  const DataKey* data_key = key_for(connection, member, month);
  if (!data_key->key) {
    spdlog::error("the body key of {} for {} was shredded: request {} keeps no body", member,
                  month_text(month), record.request_id);
    record.request_body.reset();
    record.response_body.reset();
    return;
  }
  record.bodies_key = data_key->id;
  if (record.request_body)
    record.request_body = data_key->key->seal(
        *record.request_body, body_context(data_key->id, record.request_id, "request"));
  if (record.response_body)
    record.response_body = data_key->key->seal(
        *record.response_body, body_context(data_key->id, record.request_id, "response"));
}

const BodySealer::DataKey* BodySealer::key_for(pqxx::connection_base& connection,
                                               const std::string& member,
                                               std::chrono::year_month month) {
  const auto cached = keys_.find({member, month});
  if (cached != keys_.end())
    return cached->second.get();
  std::erase_if(keys_, [month](const auto& entry) { return entry.first.second != month; });
  const std::string context = body_key_wrap_context(member, month_text(month));
  pqxx::work tx(connection);
  const std::string select =
      "SELECT id, kek_id, wrapped_key FROM body_keys WHERE member = $1 AND month = $2";
  auto rows = tx.exec_params(select, member, month_date(month));
  if (rows.empty()) {
    std::string fresh = fresh_data_key();
    const std::string wrapped = wrapper_->wrap(fresh, context);
    OPENSSL_cleanse(fresh.data(), fresh.size());
    // Nodes of a cluster may race for the month's first body: one key wins.
    tx.exec_params(
        "INSERT INTO body_keys (member, month, kek_id, wrapped_key) VALUES ($1, $2, $3, "
        "decode($4, 'hex')) ON CONFLICT (member, month) DO NOTHING",
        member, month_date(month), wrapper_->id(), to_hex(wrapped));
    rows = tx.exec_params(select, member, month_date(month));
  }
  tx.commit();
  auto data_key = std::make_unique<DataKey>();
  data_key->id = rows[0][0].as<std::int64_t>();
  if (!rows[0][2].is_null()) {
    const auto kek = rows[0][1].as<std::string>();
    if (!wrapper_->holds(kek))
      throw std::runtime_error("the body key of " + member + " for " + month_text(month) +
                               " was wrapped by " + kek + ", but this node holds " +
                               wrapper_->id() + ": every node needs the same audit.body_key");
    auto plain = wrapper_->unwrap_from(kek, pqxx::binarystring(rows[0][2]).str(), context);
    if (!plain)
      throw std::runtime_error("the body key of " + member + " for " + month_text(month) +
                               " does not unwrap: the row was altered");
    data_key->key = std::make_shared<const SealingKey>(SealingKey::from_bytes(*plain));
    OPENSSL_cleanse(plain->data(), plain->size());
  }
  const DataKey* result = data_key.get();
  keys_.emplace(std::pair{member, month}, std::move(data_key));
  return result;
}

BodyOpener::BodyOpener(std::shared_ptr<const KeyWrapper> wrapper, pqxx::transaction_base& tx)
    : wrapper_(std::move(wrapper)), tx_(tx) {}

BodyOpener::~BodyOpener() = default;

std::optional<std::string> BodyOpener::open(std::int64_t key, const std::string& request_id,
                                            std::string_view field, std::string_view sealed,
                                            const std::string& sha256) {
  const std::string name = "body key " + std::to_string(key);
  auto cached = keys_.find(key);
  if (cached == keys_.end()) {
    if (!wrapper_)
      throw std::runtime_error("the bodies are sealed (" + name +
                               ") and this node has no audit.body_key to open them");
    const auto rows = tx_.exec_params(
        "SELECT member, to_char(month, 'YYYY-MM'), kek_id, wrapped_key FROM body_keys "
        "WHERE id = $1",
        key);
    if (rows.empty())
      throw std::runtime_error(name + " does not exist");
    std::shared_ptr<const SealingKey> data_key;
    if (!rows[0][3].is_null()) {
      const auto kek = rows[0][2].as<std::string>();
      if (!wrapper_->holds(kek))
        throw std::runtime_error(name + " was wrapped by " + kek + ", but this node holds " +
                                 wrapper_->id());
      auto plain = wrapper_->unwrap_from(
          kek, pqxx::binarystring(rows[0][3]).str(),
          body_key_wrap_context(rows[0][0].as<std::string>(), rows[0][1].as<std::string>()));
      if (!plain)
        throw std::runtime_error(name + " does not unwrap: its row was altered");
      data_key = std::make_shared<const SealingKey>(SealingKey::from_bytes(*plain));
      OPENSSL_cleanse(plain->data(), plain->size());
    }
    cached = keys_.emplace(key, std::move(data_key)).first;
  }
  if (!cached->second)
    return std::nullopt;
  auto body = cached->second->open(sealed, body_context(key, request_id, field));
  if (!body || sha256_hex(*body) != sha256)
    throw std::runtime_error("the " + std::string(field) + " body of request " + request_id +
                             " does not open to what its record holds: altered in the database");
  return body;
}

}  // namespace lienthong::audit

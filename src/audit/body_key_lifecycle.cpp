#include "lienthong/audit/body_key_lifecycle.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/identifiers.hpp"

namespace lienthong::audit {
namespace {

const std::string kColumns =
    "id, member, to_char(month, 'YYYY-MM'), kek_id, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(shredded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "coalesce(shredded_by, '')";

BodyKeyRow key_row(const pqxx::row& row) {
  BodyKeyRow key{row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                 row[3].as<std::string>(),  row[4].as<std::string>(), std::nullopt,
                 row[6].as<std::string>()};
  if (!row[5].is_null())
    key.shredded_at = row[5].as<std::string>();
  return key;
}

// The registered member a key belongs to, for the admin change's readers.
std::string member_ids(pqxx::transaction_base& tx, const std::string& member) {
  const auto id = SystemId::parse(member + "/-");
  if (!id)
    return "{}";
  const auto rows = tx.exec_params(
      "SELECT id FROM members WHERE instance = $1 AND member_class = $2 AND member_code = $3",
      id->instance, id->member_class, id->member_code);
  return rows.empty() ? "{}" : "{" + rows[0][0].as<std::string>() + "}";
}

}  // namespace

std::vector<BodyKeyRow> list_body_keys(pqxx::connection_base& connection) {
  pqxx::read_transaction tx(connection);
  std::vector<BodyKeyRow> keys;
  for (const auto& row : tx.exec("SELECT " + kColumns + " FROM body_keys ORDER BY month, member"))
    keys.push_back(key_row(row));
  return keys;
}

Result<std::vector<BodyKeyRow>> shred_body_keys(pqxx::connection_base& connection,
                                                std::chrono::year_month month,
                                                const std::optional<std::string>& member,
                                                const std::string& actor,
                                                std::chrono::system_clock::time_point now) {
  if (month >= utc_month(now))
    return make_error(ErrorCode::kClientConflict,
                      month_text(month) +
                          " has not ended: its bodies are still being sealed under its keys. "
                          "Nothing was shredded");
  std::vector<BodyKeyRow> shredded;
  {
    pqxx::work tx(connection);
    const auto rows = tx.exec_params(
        "UPDATE body_keys SET wrapped_key = NULL, shredded_at = now(), shredded_by = $3 "
        "WHERE month = $1::date AND ($2::text IS NULL OR member = $2) AND wrapped_key IS NOT "
        "NULL RETURNING " +
            kColumns,
        month_text(month) + "-01", member, actor);
    for (const auto& row : rows) {
      shredded.push_back(key_row(row));
      const auto& key = shredded.back();
      const nlohmann::json before{
          {"member", key.member}, {"month", key.month}, {"kek_id", key.kek_id}};
      nlohmann::json after = before;
      after["shredded_at"] = *key.shredded_at;
      tx.exec_params(
          "INSERT INTO admin_changes (actor, actor_role, action, entity, entity_id, member_ids, "
          "before, after) VALUES ($1, 'hub-admin', 'shred', 'body-key', $2, $3::bigint[], "
          "$4::jsonb, $5::jsonb)",
          actor, key.id, member_ids(tx, key.member), before.dump(), after.dump());
    }
    if (shredded.empty())
      return make_error(ErrorCode::kClientNotFound,
                        "no body key of " + month_text(month) +
                            (member ? " for " + *member : std::string()) + " is left to shred");
    tx.commit();
  }
  // An UPDATE leaves the old row version in the table's file until it is
  // rewritten: do it now, so the wrapped keys are gone from disk too.
  pqxx::nontransaction vacuum(connection);
  vacuum.exec("VACUUM FULL body_keys");
  return shredded;
}

std::vector<BodyKeyRow> rewrap_body_keys(pqxx::connection_base& connection, const KeyWrapper& from,
                                         const KeyWrapper& to, const std::string& actor) {
  if (from.id() == to.id())
    throw std::runtime_error("the previous and the current body key are the same key (" +
                             from.id() + ")");
  std::vector<BodyKeyRow> moved;
  {
    pqxx::work tx(connection);
    const auto rows = tx.exec_params("SELECT " + kColumns +
                                         ", encode(wrapped_key, 'hex') FROM body_keys WHERE kek_id "
                                         "= $1 AND wrapped_key IS NOT NULL ORDER BY id FOR UPDATE",
                                     from.id());
    for (const auto& row : rows) {
      BodyKeyRow key = key_row(row);
      const std::string context = body_key_wrap_context(key.member, key.month);
      auto plain = from.unwrap(from_hex(row[7].as<std::string>()).value_or(""), context);
      if (!plain)
        throw std::runtime_error("the body key of " + key.member + " for " + key.month +
                                 " does not unwrap with " + from.id() +
                                 ": its row was altered. Nothing was changed");
      const std::string wrapped = to.wrap(*plain, context);
      OPENSSL_cleanse(plain->data(), plain->size());
      tx.exec_params(
          "UPDATE body_keys SET kek_id = $2, wrapped_key = decode($3, 'hex') WHERE id = $1", key.id,
          to.id(), to_hex(wrapped));
      const nlohmann::json before{
          {"member", key.member}, {"month", key.month}, {"kek_id", key.kek_id}};
      nlohmann::json after = before;
      after["kek_id"] = to.id();
      tx.exec_params(
          "INSERT INTO admin_changes (actor, actor_role, action, entity, entity_id, member_ids, "
          "before, after) VALUES ($1, 'hub-admin', 'rewrap', 'body-key', $2, $3::bigint[], "
          "$4::jsonb, $5::jsonb)",
          actor, key.id, member_ids(tx, key.member), before.dump(), after.dump());
      key.kek_id = to.id();
      moved.push_back(std::move(key));
    }
    tx.commit();
  }
  if (!moved.empty()) {
    pqxx::nontransaction vacuum(connection);
    vacuum.exec("VACUUM FULL body_keys");
  }
  return moved;
}

}  // namespace lienthong::audit

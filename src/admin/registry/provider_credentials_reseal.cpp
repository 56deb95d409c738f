#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <pqxx/pqxx>

#include "lienthong/admin/provider_credentials.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/sealing_key.hpp"
#include "lienthong/registry/provider_auth.hpp"

namespace lienthong::admin {

using nlohmann::json;

Result<ResealReport> reseal_provider_credentials(const std::string& database_url,
                                                 const SealingKeys& keys,
                                                 const std::string& actor) {
  if (!keys.current || !keys.previous)
    return make_error(ErrorCode::kClientBadRequest,
                      "set provider.previous_credentials_key to the key being replaced");
  pqxx::connection connection(database_url);
  pqxx::work tx(connection);
  const auto rows = tx.exec(
      "SELECT p.system_id, translate(encode(p.sealed, 'base64'), E'\\n', ''), p.key_id, "
      "p.description::text, s.member_id, m.instance || '/' || m.member_class || '/' || "
      "m.member_code || '/' || s.system_code "
      "FROM provider_credentials p JOIN systems s ON s.id = p.system_id "
      "JOIN members m ON m.id = s.member_id ORDER BY p.system_id FOR UPDATE OF p");
  ResealReport report;
  for (const auto& row : rows) {
    const auto system_id = row[0].as<std::int64_t>();
    const auto key_id = row[2].as<std::string>();
    const auto system = row[5].as<std::string>();
    if (key_id == keys.current->key_id()) {
      ++report.already_current;
      continue;
    }
    if (key_id != keys.previous->key_id())
      return make_error(ErrorCode::kClientConflict,
                        system + "'s provider credentials were sealed with key " + key_id +
                            ", neither of this configuration's; register them again (or "
                            "DELETE them) first. Nothing was changed");
    const std::string context = registry::provider_auth_context(system_id);
    const auto sealed = base64_decode(row[1].as<std::string>());
    auto plain = sealed ? keys.previous->open(*sealed, context) : std::nullopt;
    if (!plain)
      return make_error(ErrorCode::kClientConflict,
                        system + "'s provider credentials do not open with key " + key_id +
                            ": the row was altered. Nothing was changed");
    const std::string resealed = keys.current->seal(*plain, context);
    OPENSSL_cleanse(plain->data(), plain->size());
    tx.exec_params(
        "UPDATE provider_credentials SET sealed = decode($2, 'base64'), key_id = $3, "
        "updated_by = $4 WHERE system_id = $1",
        system_id, base64_encode(resealed), keys.current->key_id(), actor);
    json before = json::parse(row[3].as<std::string>());
    before["system"] = system;
    before["key_id"] = key_id;
    json after = before;
    after["key_id"] = keys.current->key_id();
    tx.exec_params(
        "INSERT INTO admin_changes (actor, actor_role, action, entity, entity_id, member_ids, "
        "before, after) VALUES ($1, 'hub-admin', 'reseal', 'provider-auth', $2, "
        "ARRAY[$3::bigint], $4::jsonb, $5::jsonb)",
        actor, system_id, row[4].as<std::int64_t>(), before.dump(), after.dump());
    ++report.resealed;
  }
  tx.commit();
  return report;
}

}  // namespace lienthong::admin

#include "registry/provider_auth_routes.hpp"

#include <openssl/crypto.h>

#include "lienthong/adapters/provider_auth.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/sealing_key.hpp"

namespace lienthong::admin {

using nlohmann::json;

namespace {

constexpr const char* kEntity = "provider-auth";

struct SystemRow {
  std::int64_t id = 0;
  std::int64_t member_id = 0;
  std::string key;  // INSTANCE/CLASS/CODE/SYSTEM
};

// The system, when the caller may see it: another member's system is "not
// found", as everywhere in this API.
Result<SystemRow> visible_system(const RouteCall& route) {
  const std::int64_t id = *route.call.id;
  const auto rows = route.tx.exec_params(
      "SELECT s.member_id, m.instance || '/' || m.member_class || '/' || m.member_code || '/' || "
      "s.system_code FROM systems s JOIN members m ON m.id = s.member_id WHERE s.id = $1",
      id);
  const auto scope = route.actor.member_scope();
  if (rows.empty() || (scope && *scope != rows[0][0].as<std::int64_t>()))
    return make_error(ErrorCode::kClientNotFound,
                      "no systems with id " + std::to_string(id) + " visible to you");
  return SystemRow{id, rows[0][0].as<std::int64_t>(), rows[0][1].as<std::string>()};
}

struct Registration {
  json doc;  // the shown form
  std::int64_t revision = 0;
};

// The shown form of the system's registration, or nullopt when it has none.
// `for_update` locks the row until the change commits.
std::optional<Registration> current(const RouteCall& route, const SystemRow& system,
                                    bool for_update) {
  const auto rows = route.tx.exec_params(
      std::string("SELECT description::text, key_id, revision, to_jsonb(updated_at) #>> '{}', "
                  "updated_by FROM provider_credentials WHERE system_id = $1") +
          (for_update ? " FOR UPDATE" : ""),
      system.id);
  if (rows.empty())
    return std::nullopt;
  json doc = json::parse(rows[0][0].as<std::string>());
  doc["system"] = system.key;
  doc["key_id"] = rows[0][1].as<std::string>();
  doc["revision"] = rows[0][2].as<std::int64_t>();
  doc["updated_at"] = rows[0][3].as<std::string>();
  doc["updated_by"] = rows[0][4].as<std::string>();
  return Registration{std::move(doc), rows[0][2].as<std::int64_t>()};
}

// Replacing or removing a registration wants the ETag of the one the caller saw.
Status check_precondition(const RouteCall& route, const std::optional<Registration>& before) {
  if (!before) {
    if (route.call.if_match)
      return make_error(ErrorCode::kClientPreconditionFailed,
                        "the system has no provider credentials registered now");
    return Ok{};
  }
  if (!route.call.if_match)
    return make_error(ErrorCode::kClientPreconditionRequired,
                      "credentials are registered; send If-Match with the ETag from your last GET");
  if (*route.call.if_match != before->revision)
    return make_error(ErrorCode::kClientPreconditionFailed,
                      "revision is now " + std::to_string(before->revision) +
                          "; GET it again and reapply your change");
  return Ok{};
}

void log_change(const RouteCall& route, const SystemRow& system, const char* action,
                const std::optional<Registration>& before, const json& after) {
  route.tx.exec_params(
      "INSERT INTO admin_changes (actor, actor_role, action, entity, entity_id, member_ids, "
      "before, after) VALUES ($1, $2, $3, $4, $5, ARRAY[$6::bigint], NULLIF($7, '')::jsonb, "
      "NULLIF($8, '')::jsonb)",
      route.actor.name, std::string(role_name(route.actor.role)), action, kEntity, system.id,
      system.member_id, before ? before->doc.dump() : std::string(),
      after.is_null() ? std::string() : after.dump());
}

Error not_registered(const SystemRow& system) {
  return make_error(ErrorCode::kClientNotFound,
                    system.key + " has no provider credentials registered");
}

net::HttpResponse shown(int status, const Registration& registration) {
  auto response = json_response(status, registration.doc);
  response.headers.push_back({"ETag", etag(registration.revision)});
  return response;
}

}  // namespace

Result<net::HttpResponse> get_provider_auth(const RouteCall& route) {
  auto system = visible_system(route);
  if (!system.has_value())
    return std::move(system).error();
  const auto registration = current(route, system.value(), /*for_update=*/false);
  if (!registration)
    return not_registered(system.value());
  return shown(200, *registration);
}

Result<net::HttpResponse> put_provider_auth(const RouteCall& route) {
  if (!route.options.sealing_key)
    return make_error(
        ErrorCode::kServerInternal,
        "this node has no sealing key (provider.credentials_key); nothing was changed");
  auto system = visible_system(route);
  if (!system.has_value())
    return std::move(system).error();
  auto auth = adapters::check_provider_auth(route.call.body);
  if (!auth.has_value())
    return std::move(auth).error();
  const auto before = current(route, system.value(), /*for_update=*/true);
  if (auto ready = check_precondition(route, before); !ready.has_value())
    return std::move(ready).error();

  const SealingKey& key = *route.options.sealing_key;
  std::string plaintext = route.call.body.dump();
  const std::string sealed =
      key.seal(plaintext, registry::provider_auth_context(system.value().id));
  OPENSSL_cleanse(plaintext.data(), plaintext.size());
  const json description = adapters::describe_registration(auth.value());
  route.tx.exec_params(
      "INSERT INTO provider_credentials (system_id, sealed, key_id, description, updated_by) "
      "VALUES ($1, decode($2, 'base64'), $3, $4::jsonb, $5) "
      "ON CONFLICT (system_id) DO UPDATE SET sealed = EXCLUDED.sealed, key_id = EXCLUDED.key_id, "
      "description = EXCLUDED.description, updated_by = EXCLUDED.updated_by",
      system.value().id, base64_encode(sealed), key.key_id(), description.dump(), route.actor.name);
  const auto after = current(route, system.value(), /*for_update=*/false);
  log_change(route, system.value(), before ? "replace" : "create", before, after->doc);
  return shown(before ? 200 : 201, *after);
}

Result<net::HttpResponse> delete_provider_auth(const RouteCall& route) {
  auto system = visible_system(route);
  if (!system.has_value())
    return std::move(system).error();
  const auto before = current(route, system.value(), /*for_update=*/true);
  if (!before)
    return not_registered(system.value());
  if (auto ready = check_precondition(route, before); !ready.has_value())
    return std::move(ready).error();
  route.tx.exec_params("DELETE FROM provider_credentials WHERE system_id = $1", system.value().id);
  log_change(route, system.value(), "delete", before, nullptr);
  net::HttpResponse removed;
  removed.status = 204;
  return removed;
}

}  // namespace lienthong::admin

#include "lienthong/admin/admin_tokens.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "registry/resource_store.hpp"

namespace lienthong::admin {

Result<std::string> issue_admin_token(const std::string& database_url, const TokenRequest& request,
                                      const std::string& actor) {
  nlohmann::json body{{"role", request.role}, {"label", request.label}};
  if (request.member)
    body["member"] = *request.member;
  if (request.expires_at)
    body["expires_at"] = *request.expires_at;
  try {
    pqxx::connection connection(database_url);
    pqxx::work tx(connection);
    ResourceStore store(tx, Actor{Role::kHubAdmin, std::nullopt, actor});
    auto created = store.create(*find_resource("admin-tokens"), body);
    if (!created.has_value())
      return std::move(created).error();
    tx.commit();
    return created.value().reveal["token"].get<std::string>();
  } catch (const pqxx::broken_connection& e) {
    return make_error(ErrorCode::kServerRegistryUnavailable,
                      std::string("cannot reach the registry database: ") + e.what());
  }
}

}  // namespace lienthong::admin

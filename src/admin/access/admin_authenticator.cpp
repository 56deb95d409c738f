#include "access/admin_authenticator.hpp"

#include <boost/beast/core/string.hpp>
#include <pqxx/pqxx>

#include "lienthong/core/digest.hpp"

namespace lienthong::admin {

Result<Actor> authenticate_admin(pqxx::transaction_base& tx, std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() ||
      !boost::beast::iequals(authorization.substr(0, kScheme.size()), kScheme)) {
    return make_error(ErrorCode::kClientAdminUnauthenticated,
                      "send Authorization: Bearer <token> (create one with `lienthong token "
                      "create`)");
  }
  const auto token = authorization.substr(kScheme.size());
  const auto rows = tx.exec_params(
      "SELECT id, role, member_id, label FROM admin_tokens WHERE token_sha256 = $1 "
      "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
      sha256_hex(token));
  if (rows.empty()) {
    return make_error(ErrorCode::kClientAdminUnauthenticated,
                      "the token is unknown, revoked or expired");
  }
  const auto& row = rows[0];
  Actor actor;
  actor.role = parse_role(row[1].as<std::string>()).value_or(Role::kAuditor);
  if (!row[2].is_null())
    actor.member_id = row[2].as<std::int64_t>();
  actor.name = "token " + row[0].as<std::string>() + " (" + row[3].as<std::string>() + ")";
  return actor;
}

}  // namespace lienthong::admin

#pragma once
// Admin callers authenticate with `Authorization: Bearer <token>`; the token
// is looked up by its SHA-256, so the comparison never touches the secret.

#include <string_view>

#include "lienthong/admin/actor.hpp"
#include "lienthong/core/result.hpp"

namespace pqxx {
class transaction_base;
}

namespace lienthong::admin {

// Client.AdminUnauthenticated for a missing, malformed, unknown, revoked or
// expired token.
Result<Actor> authenticate_admin(pqxx::transaction_base& tx, std::string_view authorization);

}  // namespace lienthong::admin

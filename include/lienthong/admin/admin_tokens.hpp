#pragma once
// Issuing admin tokens from the command line: the bootstrap path, since the
// first hub-admin has no token yet to call the admin API with. Goes through
// the same validation and admin-change log as POST /admin/v1/admin-tokens.

#include <optional>
#include <string>

#include "lienthong/core/result.hpp"

namespace lienthong::admin {

struct TokenRequest {
  std::string role;                       // hub-admin, member-admin, auditor
  std::optional<std::string> member;      // member identifier, for member-admin
  std::string label;                      // who or what holds it
  std::optional<std::string> expires_at;  // RFC 3339
};

// The new token (shown once; only its SHA-256 is stored).
Result<std::string> issue_admin_token(const std::string& database_url, const TokenRequest& request,
                                      const std::string& actor);

}  // namespace lienthong::admin

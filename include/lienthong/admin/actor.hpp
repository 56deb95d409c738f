#pragma once
// Who is making an admin change, and with what authority.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lienthong::admin {

enum class Role { kHubAdmin, kMemberAdmin, kAuditor };

std::string_view role_name(Role role);  // "hub-admin", "member-admin", "auditor"
std::optional<Role> parse_role(std::string_view name);

struct Actor {
  Role role = Role::kAuditor;
  std::optional<std::int64_t> member_id;  // set for member-admin only
  std::string name;  // recorded in the admin-change log, e.g. "token 7 (alice)"
};

}  // namespace lienthong::admin

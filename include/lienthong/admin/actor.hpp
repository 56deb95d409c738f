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
  // The member a member-admin token belongs to, or a member-scoped auditor's.
  std::optional<std::int64_t> member_id;
  std::string name;  // recorded in the admin-change log, e.g. "token 7 (alice)"

  // The one definition of what an actor may read: the member whose data it
  // sees, or nullopt for every member's (the hub admin, a hub-wide auditor).
  // Every read of member data filters by this, never by role alone.
  std::optional<std::int64_t> member_scope() const {
    if (role == Role::kHubAdmin)
      return std::nullopt;
    if (role == Role::kMemberAdmin)
      return member_id.value_or(-1);  // a member-admin without a member sees nothing
    return member_id;
  }
};

}  // namespace lienthong::admin

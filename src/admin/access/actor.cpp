#include "lienthong/admin/actor.hpp"

#include <array>
#include <utility>

namespace lienthong::admin {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 3> kRoles{{
    {Role::kHubAdmin, "hub-admin"},
    {Role::kMemberAdmin, "member-admin"},
    {Role::kAuditor, "auditor"},
}};

}  // namespace

std::string_view role_name(Role role) {
  for (const auto& [known, name] : kRoles) {
    if (known == role)
      return name;
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& [role, known] : kRoles) {
    if (known == name)
      return role;
  }
  return std::nullopt;
}

}  // namespace lienthong::admin

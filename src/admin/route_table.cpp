// The admin and audit APIs' one route table: every route with the roles that
// may call it and whether a member-scoped caller sees only its own member's
// data there. The dispatcher checks roles from it before any handler runs,
// the OpenAPI test holds docs/openapi/admin-v1.json to it, and the
// authorization test walks it, so a new route cannot forget its access.
#include <algorithm>

#include "lienthong/admin/admin_api.hpp"

#include "resource_spec.hpp"

namespace lienthong::admin {
namespace {

constexpr Role kHub = Role::kHubAdmin;
constexpr Role kMember = Role::kMemberAdmin;
constexpr Role kAuditor = Role::kAuditor;

const RouteAccess kPublic{{}, false};
const RouteAccess kEveryone{{kHub, kMember, kAuditor}, false};
const RouteAccess kEveryoneScoped{{kHub, kMember, kAuditor}, true};
const RouteAccess kWritersScoped{{kHub, kMember}, true};
const RouteAccess kAuditorsScoped{{kHub, kAuditor}, true};
const RouteAccess kHubOnly{{kHub}, true};

std::vector<RouteInfo> build_routes() {
  const std::string prefix = "/admin/v1";
  std::vector<RouteInfo> routes{
      {"GET", "/livez", kPublic},
      {"GET", "/healthz", kPublic},
      {"GET", "/readyz", kPublic},
      {"GET", "/metrics", kPublic},  // its own bearer token, admin.metrics_token
      {"GET", prefix + "/openapi.json", kPublic},
      {"GET", prefix + "/session", kEveryone},
      {"GET", prefix + "/catalog", kEveryone},  // services without addresses: a directory
      {"GET", prefix + "/admin-changes", kEveryoneScoped},
      {"GET", prefix + "/admin-changes/{id}", kEveryoneScoped},
      {"GET", prefix + "/agreements/{id}/events", kEveryoneScoped},
      {"GET", prefix + "/provider-health", kEveryoneScoped},
      {"GET", prefix + "/deliveries", kEveryoneScoped},
      {"GET", prefix + "/deliveries/{id}", kEveryoneScoped},
      {"POST", prefix + "/deliveries/{id}/requeue", kWritersScoped},
      {"GET", "/audit/v1/exchanges", kAuditorsScoped},
      {"GET", "/audit/v1/exchanges/{id}", kAuditorsScoped},
      {"GET", "/audit/v1/stats", kAuditorsScoped},
      {"GET", "/audit/v1/connectivity", kAuditorsScoped},
      {"GET", "/audit/v1/export", kAuditorsScoped},
      {"GET", "/audit/v1/verify", kAuditorsScoped}};
  for (const auto& spec : resource_specs()) {
    const std::string collection = prefix + "/" + spec.name;
    const RouteAccess read = spec.hub_only_reads    ? kHubOnly
                             : spec.readable_by_all ? kEveryone
                                                    : kEveryoneScoped;
    routes.push_back({"GET", collection, read});
    routes.push_back({"GET", collection + "/{id}", read});
    if (spec.creatable)
      routes.push_back({"POST", collection, spec.member_admin_creates ? kWritersScoped : kHubOnly});
    if (spec.patchable)
      routes.push_back({"PATCH", collection + "/{id}", kWritersScoped});
    for (const auto& action : spec.actions) {
      routes.push_back({"POST", collection + "/{id}/" + action.name,
                        action.side == Side::kHubAdmin ? kHubOnly : kWritersScoped});
    }
  }
  return routes;
}

// "/admin/v1/systems/42" falls under "/admin/v1/systems/{id}": segments equal,
// or "{id}" against a run of digits.
bool path_matches(std::string_view pattern, std::string_view path) {
  while (!pattern.empty() && !path.empty()) {
    const auto pattern_end = pattern.find('/', 1);
    const auto path_end = path.find('/', 1);
    const auto expected = pattern.substr(0, pattern_end);
    const auto actual = path.substr(0, path_end);
    if (expected == "/{id}") {
      if (actual.size() < 2 || !std::all_of(actual.begin() + 1, actual.end(),
                                            [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    } else if (expected != actual) {
      return false;
    }
    pattern =
        pattern_end == std::string_view::npos ? std::string_view() : pattern.substr(pattern_end);
    path = path_end == std::string_view::npos ? std::string_view() : path.substr(path_end);
  }
  return pattern.empty() && path.empty();
}

}  // namespace

const std::vector<RouteInfo>& AdminApi::routes() {
  static const std::vector<RouteInfo> table = build_routes();
  return table;
}

const RouteInfo* AdminApi::find_route(std::string_view method, std::string_view path) {
  for (const auto& route : routes()) {
    if (route.method == method && path_matches(route.path, path))
      return &route;
  }
  return nullptr;
}

}  // namespace lienthong::admin

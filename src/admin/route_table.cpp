// The admin and audit APIs' one route table: every route with the roles that
// may call it, whether a member-scoped caller sees only its own member's
// data there, and its handler. The dispatcher routes and checks roles from
// it before any handler runs, the OpenAPI test holds
// docs/openapi/admin-v1.json to it, and the authorization test walks it, so
// a new route cannot forget its access or its documentation.
#include <algorithm>

#include "lienthong/admin/admin_api.hpp"

#include "auditor/audit_routes.hpp"
#include "operations/delivery_routes.hpp"
#include "operations/node_endpoints.hpp"
#include "operations/provider_health.hpp"
#include "registry/provider_auth_routes.hpp"
#include "registry/registry_routes.hpp"
#include "registry/resource_spec.hpp"
#include "route_call.hpp"

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

Route open(std::string method, std::string path, PublicHandler handler) {
  return Route{{std::move(method), std::move(path), kPublic}, nullptr, std::move(handler)};
}

Route guarded(std::string method, std::string path, RouteAccess access, RouteHandler handler) {
  return Route{
      {std::move(method), std::move(path), std::move(access)}, std::move(handler), nullptr};
}

// An auditor API read, served from the audit read URL (a replica) when one
// is set. It changes nothing, whatever its method.
Route audit_read(std::string path, RouteHandler handler, std::string method = "GET") {
  Route route = guarded(std::move(method), std::move(path), kAuditorsScoped, std::move(handler));
  route.reads_audit_replica = true;
  return route;
}

Result<net::HttpResponse> api_description(const net::HttpRequest&, const AdminApiOptions&) {
  return net::HttpResponse::with_body(200, AdminApi::openapi_document());
}

std::vector<Route> build_routes() {
  const std::string prefix = "/admin/v1";
  std::vector<Route> routes{
      open("GET", "/livez", liveness), open("GET", "/healthz", liveness),
      open("GET", "/readyz", readiness),
      open("GET", "/metrics", metrics),  // its own bearer token, admin.metrics_token
      open("GET", prefix + "/openapi.json", api_description),
      guarded("GET", prefix + "/session", kEveryone, session),
      // Services without addresses: a directory.
      guarded("GET", prefix + "/catalog", kEveryone, service_catalog),
      guarded("GET", prefix + "/admin-changes", kEveryoneScoped, list_changes),
      guarded("GET", prefix + "/admin-changes/{id}", kEveryoneScoped, get_change),
      guarded("GET", prefix + "/agreements/{id}/events", kEveryoneScoped, agreement_events),
      guarded("GET", prefix + "/provider-health", kEveryoneScoped, provider_health),
      guarded("GET", prefix + "/deliveries", kEveryoneScoped, list_deliveries),
      guarded("GET", prefix + "/deliveries/{id}", kEveryoneScoped, get_delivery),
      guarded("POST", prefix + "/deliveries/{id}/requeue", kWritersScoped, requeue_delivery),
      // What a provider system wants besides TLS: write-only secrets.
      guarded("GET", prefix + "/systems/{id}/provider-auth", kEveryoneScoped, get_provider_auth),
      guarded("PUT", prefix + "/systems/{id}/provider-auth", kWritersScoped, put_provider_auth),
      guarded("DELETE", prefix + "/systems/{id}/provider-auth", kWritersScoped,
              delete_provider_auth),
      audit_read("/audit/v1/exchanges", list_exchanges),
      audit_read("/audit/v1/exchanges/{id}", get_exchange),
      audit_read("/audit/v1/exchanges/{id}/evidence", exchange_evidence),
      audit_read("/audit/v1/reads", list_read_log), audit_read("/audit/v1/stats", exchange_stats),
      audit_read("/audit/v1/connectivity", connectivity),
      audit_read("/audit/v1/export", export_exchanges), audit_read("/audit/v1/verify", verify_log),
      // The caller's saved heads travel in the body: a read all the same.
      audit_read("/audit/v1/verify", verify_log_against_heads, "POST")};
  for (const auto& spec : resource_specs()) {
    const std::string collection = prefix + "/" + spec.name;
    const RouteAccess read = spec.hub_only_reads    ? kHubOnly
                             : spec.readable_by_all ? kEveryone
                                                    : kEveryoneScoped;
    routes.push_back(guarded("GET", collection, read, list_resource(spec)));
    routes.push_back(guarded("GET", collection + "/{id}", read, get_resource(spec)));
    if (spec.creatable) {
      routes.push_back(guarded("POST", collection,
                               spec.member_admin_creates ? kWritersScoped : kHubOnly,
                               create_resource(spec)));
    }
    if (spec.patchable)
      routes.push_back(
          guarded("PATCH", collection + "/{id}", kWritersScoped, update_resource(spec)));
    for (const auto& action : spec.actions) {
      routes.push_back(guarded("POST", collection + "/{id}/" + action.name,
                               action.side == Side::kHubAdmin ? kHubOnly : kWritersScoped,
                               act_on_resource(spec, action)));
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

const std::vector<Route>& route_table() {
  static const std::vector<Route> table = build_routes();
  return table;
}

const Route* find_route(std::string_view method, std::string_view path,
                        std::vector<std::string>* allowed) {
  for (const auto& route : route_table()) {
    if (!path_matches(route.info.path, path))
      continue;
    if (route.info.method == method)
      return &route;
    if (allowed != nullptr)
      allowed->push_back(route.info.method);
  }
  return nullptr;
}

const std::vector<RouteInfo>& AdminApi::routes() {
  static const std::vector<RouteInfo> infos = [] {
    std::vector<RouteInfo> list;
    for (const auto& route : route_table())
      list.push_back(route.info);
    return list;
  }();
  return infos;
}

const RouteInfo* AdminApi::find_route(std::string_view method, std::string_view path) {
  const Route* route = admin::find_route(method, path);
  // routes() lists the table's entries in the table's order.
  return route == nullptr ? nullptr : &routes()[route - route_table().data()];
}

}  // namespace lienthong::admin

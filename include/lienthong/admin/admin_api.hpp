#pragma once
// The admin listener's API: registry entities, agreement lifecycle, admin
// tokens, the admin-change log, the OpenAPI document (/admin/v1/...), the
// auditor API (/audit/v1/...), health (/healthz, /readyz), /metrics and the
// web console's files (/console/).
// Synchronous: each call runs its own PostgreSQL transaction, so AdminHandler
// runs it on a worker pool, never on an I/O thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lienthong/admin/actor.hpp"
#include "lienthong/audit/body_keys.hpp"
#include "lienthong/audit/trusted_timestamp.hpp"
#include "lienthong/net/http_message.hpp"

namespace spdlog {
class logger;
}
namespace boost::asio {
class thread_pool;
}

namespace lienthong {
class SealingKey;
}
namespace lienthong::adapters {
class CircuitBreakers;
}

namespace lienthong::admin {

// What /readyz reports: the node serves exchanges only from a loaded snapshot
// and is ready only while it can also see registry changes.
struct Readiness {
  bool ready = false;
  std::uint64_t registry_version = 0;
  // Each condition of readiness and whether it holds, e.g. {"database_reachable", true}.
  std::vector<std::pair<std::string, bool>> checks;
};

struct AdminApiOptions {
  std::string database_url;
  // Where the auditor API's reads run (audit.read_url): a replica, so a
  // heavy search or export never slows the primary; the primary when empty.
  // Tokens are still checked, and roll-ups written, on the primary.
  std::string audit_read_url;
  // The audit witness directory (audit.witness_dir): GET /audit/v1/verify
  // holds the log to every checkpoint published there. None when empty.
  std::string audit_witness_dir;
  // The trusted timestamps' authority (audit.timestamp_ca): GET
  // /audit/v1/verify checks every checkpoint's token against it. None when null.
  std::shared_ptr<const audit::TsaTrust> audit_timestamp_trust;
  // Opens the kept bodies the auditor API returns (audit/body_keys.hpp);
  // null when this node keeps bodies in the clear.
  std::shared_ptr<const audit::KeyWrapper> body_wrapper;
  std::function<Readiness()> readiness;
  // Called after each committed change, before the answer is sent: the node
  // that made a change serves it from its next request on (other nodes
  // follow through NOTIFY).
  std::function<void()> after_change;
  std::shared_ptr<spdlog::logger> logger;  // server errors; the default logger when null
  // Where streamed answers (audit exports) read from PostgreSQL, piece by piece.
  std::shared_ptr<boost::asio::thread_pool> workers;
  // This node's provider circuit breakers, for /admin/v1/provider-health; may be null.
  std::shared_ptr<const adapters::CircuitBreakers> breakers;
  // Seals what PUT /admin/v1/systems/{id}/provider-auth registers; such
  // requests are refused when null.
  std::shared_ptr<const SealingKey> sealing_key;
  // GET /metrics: the node's metrics in Prometheus text format; none when null.
  std::function<std::string()> metrics;
  // When set, /metrics wants "Authorization: Bearer <metrics_token>".
  std::string metrics_token;
  // The web console's static files, served under /console/; none when empty.
  std::string console_dir;
};

// Who may call a route, and what a member-scoped caller sees there.
struct RouteAccess {
  // The roles that may call it; empty: no admin token is needed (health,
  // metrics, the API description). Any other role gets 403, checked in one
  // place before the route's handler runs.
  std::vector<Role> roles;
  // true: a member-scoped caller (a member-admin, a member's auditor) is
  // answered only with its own member's data (Actor::member_scope()), and
  // another member's entity by id is "not found". false: what the route
  // shows belongs to no member in particular (the member directory,
  // published schemas, the service catalogue, the caller's own session).
  bool member_scoped = false;
};

// One route of the API: method, path template, e.g. {"GET",
// "/admin/v1/systems/{id}"}, and its access. AdminApi::routes() is the one
// table: the OpenAPI test, the dispatcher's role check and the generated
// authorization test all read it.
struct RouteInfo {
  std::string method;
  std::string path;
  RouteAccess access;
};

class AdminApi {
 public:
  explicit AdminApi(AdminApiOptions options);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // Never throws: every failure becomes a problem+json response.
  net::HttpResponse handle(const net::HttpRequest& request);

  // Every route the API serves, with its access (route_table.cpp).
  static const std::vector<RouteInfo>& routes();
  // The route `method` `path` (a request path, ids as numbers) falls under, or null.
  static const RouteInfo* find_route(std::string_view method, std::string_view path);
  // The OpenAPI 3 document served at /admin/v1/openapi.json.
  static const std::string& openapi_document();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::admin

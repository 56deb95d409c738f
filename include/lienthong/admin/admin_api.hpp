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
#include <utility>
#include <vector>

#include "lienthong/net/http_message.hpp"

namespace spdlog {
class logger;
}
namespace boost::asio {
class thread_pool;
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
  // GET /metrics: the node's metrics in Prometheus text format; none when null.
  std::function<std::string()> metrics;
  // When set, /metrics wants "Authorization: Bearer <metrics_token>".
  std::string metrics_token;
  // The web console's static files, served under /console/; none when empty.
  std::string console_dir;
};

// One route of the API: method and path template, e.g. {"GET", "/admin/v1/systems/{id}"}.
struct RouteInfo {
  std::string method;
  std::string path;
};

class AdminApi {
 public:
  explicit AdminApi(AdminApiOptions options);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // Never throws: every failure becomes a problem+json response.
  net::HttpResponse handle(const net::HttpRequest& request);

  // Every route the API serves, for the OpenAPI completeness test.
  static std::vector<RouteInfo> routes();
  // The OpenAPI 3 document served at /admin/v1/openapi.json.
  static const std::string& openapi_document();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::admin

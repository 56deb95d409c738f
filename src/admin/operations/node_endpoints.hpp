#pragma once
// The admin listener's endpoints about the node itself rather than the
// registry: /healthz (and /livez), /readyz, /metrics, and the web console's
// files under /console/ (/ and /console redirect there). None of them needs
// the database or an admin token, so they answer while PostgreSQL is down.

#include <optional>

#include "lienthong/admin/admin_api.hpp"
#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"

namespace lienthong::admin {

// GET /livez and /healthz: the process answers.
Result<net::HttpResponse> liveness(const net::HttpRequest& request, const AdminApiOptions& options);
// GET /readyz: 200 when the node may take exchanges, 503 with the failing checks.
Result<net::HttpResponse> readiness(const net::HttpRequest& request,
                                    const AdminApiOptions& options);
// GET /metrics in Prometheus text format, behind admin.metrics_token when set.
Result<net::HttpResponse> metrics(const net::HttpRequest& request, const AdminApiOptions& options);

// The console's files: nullopt when `request` is not for /, /console or
// /console/...; otherwise the answer, or the error to answer as a problem.
std::optional<Result<net::HttpResponse>> console_endpoint(const net::HttpRequest& request,
                                                          const AdminApiOptions& options);

}  // namespace lienthong::admin

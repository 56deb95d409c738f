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

// nullopt when `request` is for none of these endpoints; otherwise the
// answer, or the error to answer as a problem.
std::optional<Result<net::HttpResponse>> node_endpoint(const net::HttpRequest& request,
                                                       const AdminApiOptions& options);

}  // namespace lienthong::admin

#pragma once
// GET /admin/v1/provider-health: this node's circuit breaker for each
// provider system it has called. Hub admins and auditors see every
// provider, a member admin only the member's own systems.

#include "route_call.hpp"

namespace lienthong::admin {

Result<net::HttpResponse> provider_health(const RouteCall& route);

}  // namespace lienthong::admin

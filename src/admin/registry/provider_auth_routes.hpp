#pragma once
// /admin/v1/systems/{id}/provider-auth: what the system, as a provider,
// wants from the hub besides TLS (lienthong/registry/provider_auth.hpp).
// PUT registers it whole (write-only: passwords are sealed with the node's
// key and never shown again), GET shows what may be shown, DELETE removes
// it. Hub admins and the system's own member admins write; auditors read.
// Each change goes in the admin-change log without its secrets.

#include "route_call.hpp"

namespace lienthong::admin {

Result<net::HttpResponse> get_provider_auth(const RouteCall& route);
Result<net::HttpResponse> put_provider_auth(const RouteCall& route);
Result<net::HttpResponse> delete_provider_auth(const RouteCall& route);

}  // namespace lienthong::admin

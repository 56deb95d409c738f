#pragma once
// The registry routes' handlers (/admin/v1/...): the caller's session, the
// service catalogue, the admin-change log, agreement histories, and list,
// get, create, update and lifecycle actions for every ResourceSpec.

#include "registry/resource_spec.hpp"
#include "route_call.hpp"

namespace lienthong::admin {

Result<net::HttpResponse> session(const RouteCall& route);
Result<net::HttpResponse> service_catalog(const RouteCall& route);
Result<net::HttpResponse> list_changes(const RouteCall& route);
Result<net::HttpResponse> get_change(const RouteCall& route);
Result<net::HttpResponse> agreement_events(const RouteCall& route);

RouteHandler list_resource(const ResourceSpec& spec);
RouteHandler get_resource(const ResourceSpec& spec);
RouteHandler create_resource(const ResourceSpec& spec);
RouteHandler update_resource(const ResourceSpec& spec);
RouteHandler act_on_resource(const ResourceSpec& spec, const ActionSpec& action);

}  // namespace lienthong::admin

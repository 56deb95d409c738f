#pragma once
// /admin/v1/deliveries: the asynchronous messages of the delivery queue.
//   GET  /deliveries?state=dead&after=&limit=   a page, oldest first
//   GET  /deliveries/{id}
//   POST /deliveries/{id}/requeue               a dead or failed message back to the queue
// Hub admins and auditors see every message, member admins those their
// member's systems sent or were sent; auditors cannot requeue. Bodies are
// never shown here: the sender reads the answer, auditors the audit log.

#include "route_call.hpp"

namespace lienthong::admin {

Result<net::HttpResponse> list_deliveries(const RouteCall& route);
Result<net::HttpResponse> get_delivery(const RouteCall& route);
Result<net::HttpResponse> requeue_delivery(const RouteCall& route);

}  // namespace lienthong::admin

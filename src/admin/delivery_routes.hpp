#pragma once
// /admin/v1/deliveries: the asynchronous messages of the delivery queue.
//   GET  /deliveries?state=dead&after=&limit=   a page, oldest first
//   GET  /deliveries/{id}
//   POST /deliveries/{id}/requeue               a dead or failed message back to the queue
// Hub admins and auditors see every message, member admins those their
// member's systems sent or were sent; auditors cannot requeue. Bodies are
// never shown here: the sender reads the answer, auditors the audit log.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/admin/actor.hpp"
#include "lienthong/core/result.hpp"

#include "resource_store.hpp"

namespace lienthong::admin {

// `segments` start with "deliveries".
Result<nlohmann::json> delivery_route(pqxx::dbtransaction& tx, const Actor& actor,
                                      const std::string& method,
                                      const std::vector<std::string>& segments, const Query& query);

}  // namespace lienthong::admin

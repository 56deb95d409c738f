#pragma once
// GET /admin/v1/provider-health: this node's circuit breaker for each
// provider system it has called. Hub admins and auditors see every
// provider, a member admin only the member's own systems.

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/adapters/circuit_breaker.hpp"
#include "lienthong/admin/actor.hpp"

namespace lienthong::admin {

nlohmann::json provider_health(pqxx::dbtransaction& tx, const Actor& actor,
                               const adapters::CircuitBreakers& breakers);

}  // namespace lienthong::admin

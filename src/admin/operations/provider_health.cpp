#include "operations/provider_health.hpp"

#include <set>

#include "lienthong/adapters/circuit_breaker.hpp"
#include "lienthong/core/timestamp.hpp"

namespace lienthong::admin {

using nlohmann::json;

Result<net::HttpResponse> provider_health(const RouteCall& route) {
  if (!route.options.breakers)
    return make_error(ErrorCode::kClientNotFound, "this node calls no providers");
  const adapters::CircuitBreakers& breakers = *route.options.breakers;
  pqxx::dbtransaction& tx = route.tx;
  const Actor& actor = route.actor;
  std::optional<std::set<std::string>> visible;  // all when empty
  if (const auto scope = actor.member_scope()) {
    visible.emplace();
    const auto rows = tx.exec_params(
        "SELECT m.instance || '/' || m.member_class || '/' || m.member_code || '/' || "
        "s.system_code FROM systems s JOIN members m ON m.id = s.member_id WHERE m.id = $1",
        *scope);
    for (const auto& row : rows)
      visible->insert(row[0].as<std::string>());
  }
  json providers = json::array();
  for (const auto& report : breakers.report()) {
    if (visible && !visible->contains(report.provider))
      continue;
    json entry{{"provider", report.provider},
               {"state", adapters::to_string(report.state)},
               {"consecutive_failures", report.consecutive_failures},
               {"rejected_calls", report.rejected_calls}};
    if (report.opened_at)
      entry["opened_at"] = to_rfc3339(*report.opened_at);
    if (report.probe_after)
      entry["probe_after"] = to_rfc3339(*report.probe_after);
    providers.push_back(std::move(entry));
  }
  return json_response(200, json{{"providers", std::move(providers)}});
}

}  // namespace lienthong::admin

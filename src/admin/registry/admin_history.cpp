// The read-only history behind the admin API: the admin-change log and an
// agreement's lifecycle transitions.
#include <pqxx/pqxx>

#include "query_values.hpp"
#include "registry/resource_store.hpp"

namespace lienthong::admin {

using nlohmann::json;

Result<json> ResourceStore::list_changes(const Query& query) {
  std::vector<FieldError> errors;
  int limit = kDefaultPageSize;
  std::string where = "true";
  for (const auto& [name, value] : query) {
    const auto number = parse_id(value);
    if (name == "limit" && number && *number >= 1 && *number <= kMaxPageSize) {
      limit = static_cast<int>(*number);
    } else if ((name == "after" || name == "entity_id") && number) {
      where += (name == "after" ? " AND id > " : " AND entity_id = ") + std::to_string(*number);
    } else if (name == "entity") {
      where += " AND entity = " + tx_.quote(value);
    } else {
      errors.push_back({name, "unknown or invalid query parameter"});
    }
  }
  if (!errors.empty())
    return invalid(std::move(errors));
  if (const auto scope = actor_.member_scope())
    where += " AND member_ids @> ARRAY[" + std::to_string(*scope) + "]::bigint[]";
  const auto rows = tx_.exec("SELECT id, doc FROM api_admin_changes WHERE " + where +
                             " ORDER BY id LIMIT " + std::to_string(limit + 1));
  return keyset_page(rows, limit);
}

Result<Entity> ResourceStore::get_change(std::int64_t id) {
  const auto rows = tx_.exec_params(
      "SELECT doc, member_ids @> ARRAY[$2::bigint] FROM api_admin_changes WHERE id = $1", id,
      actor_.member_scope().value_or(-1));
  if (rows.empty() || (actor_.member_scope() && !rows[0][1].as<bool>()))
    return make_error(ErrorCode::kClientNotFound, "no admin change " + std::to_string(id));
  return Entity{json::parse(rows[0][0].as<std::string>()), 1};
}

Result<json> ResourceStore::agreement_events(std::int64_t agreement_id) {
  const auto* spec = find_resource("agreements");
  auto agreement = load(*spec, agreement_id);
  if (!agreement.has_value())
    return std::move(agreement).error();
  json events = json::array();
  for (const auto& row : tx_.exec_params(
           "SELECT jsonb_build_object('from_status', from_status, 'to_status', to_status, "
           "'actor', actor, 'reason', reason, 'at', at) FROM agreement_events "
           "WHERE agreement_id = $1 ORDER BY id",
           agreement_id)) {
    events.push_back(json::parse(row[0].as<std::string>()));
  }
  return json{{"items", std::move(events)}};
}

}  // namespace lienthong::admin

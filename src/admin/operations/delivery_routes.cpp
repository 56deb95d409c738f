#include "operations/delivery_routes.hpp"

#include "lienthong/core/timestamp.hpp"
#include "lienthong/delivery/delivery_admin.hpp"

#include "query_values.hpp"

namespace lienthong::admin {

using nlohmann::json;

namespace {

json document_of(const delivery::DeliveryStatus& status) {
  json doc{{"id", status.id},
           {"message_id", status.message_id},
           {"consumer", status.consumer},
           {"service", status.service},
           {"state", delivery::to_string(status.state)},
           {"attempts", status.attempts},
           {"max_attempts", status.max_attempts},
           {"created_at", to_rfc3339(status.created_at)},
           {"next_attempt_at", nullptr},
           {"delivered_at", nullptr},
           {"last_error_code", nullptr},
           {"last_error", nullptr},
           {"response_status", nullptr}};
  if (status.next_attempt_at)
    doc["next_attempt_at"] = to_rfc3339(*status.next_attempt_at);
  if (status.delivered_at)
    doc["delivered_at"] = to_rfc3339(*status.delivered_at);
  if (!status.last_error_code.empty()) {
    doc["last_error_code"] = status.last_error_code;
    doc["last_error"] = status.last_error;
  }
  if (status.response_status)
    doc["response_status"] = *status.response_status;
  return doc;
}

Result<json> list(pqxx::dbtransaction& tx, std::optional<std::int64_t> member, const Query& query) {
  std::vector<FieldError> errors;
  std::optional<delivery::DeliveryState> state;
  std::optional<std::int64_t> after;
  int limit = kDefaultPageSize;
  for (const auto& [name, value] : query) {
    const auto number = parse_id(value);
    if (name == "state" && delivery::parse_state(value)) {
      state = delivery::parse_state(value);
    } else if (name == "after" && number) {
      after = number;
    } else if (name == "limit" && number && *number <= kMaxPageSize) {
      limit = static_cast<int>(*number);
    } else {
      errors.push_back({name, name == "state" ? "queued, delivering, delivered, failed or dead"
                                              : "unknown or invalid query parameter"});
    }
  }
  if (!errors.empty())
    return invalid(std::move(errors));
  const auto rows = delivery::list_messages(tx, state, member, after, limit + 1);
  json page{{"items", json::array()}, {"next_after", nullptr}};
  for (std::size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i)
    page["items"].push_back(document_of(rows[i]));
  if (static_cast<int>(rows.size()) > limit)
    page["next_after"] = rows[static_cast<std::size_t>(limit) - 1].id;
  return page;
}

// Requeueing is an admin change like any other: it goes in the admin-change log.
Result<json> requeue(pqxx::dbtransaction& tx, const Actor& actor,
                     std::optional<std::int64_t> member, std::int64_t id) {
  if (actor.role == Role::kAuditor)
    return make_error(ErrorCode::kClientForbidden, "auditors cannot requeue messages");
  auto before = delivery::get_message(tx, id, member);
  if (!before.has_value())
    return std::move(before).error();
  auto after = delivery::requeue_message(tx, id, member);
  if (!after.has_value())
    return std::move(after).error();
  const json after_doc = document_of(after.value());
  tx.exec_params(
      "INSERT INTO admin_changes (actor, actor_role, action, entity, entity_id, member_ids, "
      "before, after) SELECT $1, $2, 'requeue', 'deliveries', d.id, "
      "ARRAY(SELECT DISTINCT s.member_id FROM systems s "
      "      WHERE s.id IN (d.consumer_system_id, d.provider_system_id)), $3::jsonb, $4::jsonb "
      "FROM deliveries d WHERE d.id = $5",
      actor.name, std::string(role_name(actor.role)), document_of(before.value()).dump(),
      after_doc.dump(), id);
  return after_doc;
}

}  // namespace

Result<net::HttpResponse> list_deliveries(const RouteCall& route) {
  auto page = list(route.tx, route.actor.member_scope(), route.call.query);
  if (!page.has_value())
    return std::move(page).error();
  return json_response(200, page.value());
}

Result<net::HttpResponse> get_delivery(const RouteCall& route) {
  auto message = delivery::get_message(route.tx, *route.call.id, route.actor.member_scope());
  if (!message.has_value())
    return std::move(message).error();
  return json_response(200, document_of(message.value()));
}

Result<net::HttpResponse> requeue_delivery(const RouteCall& route) {
  auto requeued = requeue(route.tx, route.actor, route.actor.member_scope(), *route.call.id);
  if (!requeued.has_value())
    return std::move(requeued).error();
  return json_response(200, requeued.value());
}

}  // namespace lienthong::admin

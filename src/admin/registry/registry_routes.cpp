#include "registry/registry_routes.hpp"

namespace lienthong::admin {
namespace {

using net::HttpResponse;
using nlohmann::json;

constexpr std::string_view kPrefix = "/admin/v1";

HttpResponse entity_response(int status, const Entity& entity) {
  auto response = json_response(status, entity.doc);
  response.headers.push_back({"ETag", etag(entity.revision)});
  return response;
}

Result<HttpResponse> json_answer(Result<json> answer) {
  if (!answer.has_value())
    return std::move(answer).error();
  return json_response(200, answer.value());
}

Result<HttpResponse> entity_answer(Result<Entity> entity) {
  if (!entity.has_value())
    return std::move(entity).error();
  return entity_response(200, entity.value());
}

// An action takes an optional {"reason": "..."} and nothing else.
Result<std::string> action_reason(const json& body) {
  if (body.is_null())
    return std::string();
  const bool well_formed =
      body.is_object() && body.size() <= 1 &&
      (body.empty() || (body.contains("reason") && body["reason"].is_string() &&
                        body["reason"].get_ref<const std::string&>().size() <= 2000));
  if (!well_formed) {
    Error error = make_error(ErrorCode::kClientInvalidInput,
                             "an action takes an optional {\"reason\": \"...\"} only");
    error.fields.push_back({"/reason", "optional string of at most 2000 characters"});
    return error;
  }
  return body.value("reason", std::string());
}

}  // namespace

Result<HttpResponse> session(const RouteCall& route) {
  const Actor& actor = route.actor;
  return json_response(200, {{"role", role_name(actor.role)},
                             {"member_id", actor.member_id ? json(*actor.member_id) : json()},
                             {"name", actor.name}});
}

// What any admin may see of the active services, to choose what to ask an
// agreement for: who provides it and what it is, not how it is reached.
Result<HttpResponse> service_catalog(const RouteCall& route) {
  const auto row = route.tx.exec1(
      "SELECT coalesce(jsonb_agg(jsonb_build_object('provider', concat_ws('/', m.instance, "
      "m.member_class, m.member_code, s.system_code), 'provider_name', s.name, 'member_name', "
      "m.name, 'service_code', v.service_code, 'version', v.version, 'name', v.name, "
      "'require_purpose', v.require_purpose) ORDER BY m.id, s.id, v.service_code, v.version), "
      "'[]')::text FROM services v JOIN systems s ON s.id = v.system_id JOIN members m ON m.id = "
      "s.member_id WHERE v.status = 'active' AND s.status = 'active'");
  return json_response(200, json{{"items", json::parse(row[0].as<std::string>())}});
}

Result<HttpResponse> list_changes(const RouteCall& route) {
  return json_answer(route.store.list_changes(route.call.query));
}

Result<HttpResponse> get_change(const RouteCall& route) {
  auto change = route.store.get_change(*route.call.id);
  if (!change.has_value())
    return std::move(change).error();
  return json_response(200, change.value().doc);
}

Result<HttpResponse> agreement_events(const RouteCall& route) {
  return json_answer(route.store.agreement_events(*route.call.id));
}

RouteHandler list_resource(const ResourceSpec& spec) {
  return [&spec](const RouteCall& route) {
    return json_answer(route.store.list(spec, route.call.query));
  };
}

RouteHandler get_resource(const ResourceSpec& spec) {
  return [&spec](const RouteCall& route) {
    return entity_answer(route.store.get(spec, *route.call.id));
  };
}

RouteHandler create_resource(const ResourceSpec& spec) {
  return [&spec](const RouteCall& route) -> Result<HttpResponse> {
    const json& body = route.call.body;
    auto created = route.store.create(spec, body.is_null() ? json::object() : body);
    if (!created.has_value())
      return std::move(created).error();
    const auto& result = created.value();
    json document = result.entity.doc;
    if (!result.reveal.is_null()) {
      document["secret"] = result.reveal;
      document["secret_notice"] = "shown once; the hub keeps only its SHA-256";
    }
    auto response = json_response(201, document);
    response.headers.push_back({"ETag", etag(result.entity.revision)});
    response.headers.push_back(
        {"Location", std::string(kPrefix) + "/" + spec.name + "/" +
                         std::to_string(result.entity.doc["id"].get<std::int64_t>())});
    return response;
  };
}

RouteHandler update_resource(const ResourceSpec& spec) {
  return [&spec](const RouteCall& route) {
    const json& body = route.call.body;
    return entity_answer(route.store.update(
        spec, *route.call.id, body.is_null() ? json::object() : body, route.call.if_match));
  };
}

RouteHandler act_on_resource(const ResourceSpec& spec, const ActionSpec& action) {
  return [&spec, &action](const RouteCall& route) -> Result<HttpResponse> {
    auto reason = action_reason(route.call.body);
    if (!reason.has_value())
      return std::move(reason).error();
    return entity_answer(
        route.store.act(spec, action, *route.call.id, reason.value(), route.call.if_match));
  };
}

}  // namespace lienthong::admin

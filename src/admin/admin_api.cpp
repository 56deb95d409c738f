#include "lienthong/admin/admin_api.hpp"

#include <algorithm>
#include <charconv>

#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "lienthong/core/message_id.hpp"
#include "lienthong/net/problem.hpp"
#include "lienthong/observability/log_context.hpp"
#include "lienthong/policy/json_limits.hpp"

#include "admin_authenticator.hpp"
#include "audit_export.hpp"
#include "audit_queries.hpp"
#include "delivery_routes.hpp"
#include "field_validation.hpp"
#include "node_endpoints.hpp"
#include "provider_health.hpp"
#include "resource_store.hpp"

namespace lienthong::admin {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using nlohmann::json;

constexpr std::string_view kPrefix = "/admin/v1";
constexpr int kMaxJsonDepth = 32;

std::string etag(std::int64_t revision) {
  return "\"" + std::to_string(revision) + "\"";
}

// If-Match: "3" (or W/"3"). Anything else cannot match a revision.
std::optional<std::int64_t> parse_if_match(std::string_view header, bool& malformed) {
  malformed = false;
  if (header.empty())
    return std::nullopt;
  if (header.substr(0, 2) == "W/")
    header.remove_prefix(2);
  std::int64_t revision = -1;
  if (header.size() >= 3 && header.front() == '"' && header.back() == '"') {
    const auto digits = header.substr(1, header.size() - 2);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), revision);
    if (ec == std::errc() && end == digits.data() + digits.size())
      return revision;
  }
  malformed = true;
  return -1;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0)
    return std::nullopt;
  return id;
}

// What any admin may see of the active services, to choose what to ask an
// agreement for: who provides it and what it is, not how it is reached.
json service_catalog(pqxx::dbtransaction& tx) {
  const auto row = tx.exec1(
      "SELECT coalesce(jsonb_agg(jsonb_build_object('provider', concat_ws('/', m.instance, "
      "m.member_class, m.member_code, s.system_code), 'provider_name', s.name, 'member_name', "
      "m.name, 'service_code', v.service_code, 'version', v.version, 'name', v.name, "
      "'require_purpose', v.require_purpose) ORDER BY m.id, s.id, v.service_code, v.version), "
      "'[]')::text FROM services v JOIN systems s ON s.id = v.system_id JOIN members m ON m.id = "
      "s.member_id WHERE v.status = 'active' AND s.status = 'active'");
  return json{{"items", json::parse(row[0].as<std::string>())}};
}

HttpResponse json_response(int status, const json& body) {
  return HttpResponse::with_body(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

HttpResponse entity_response(int status, const Entity& entity) {
  auto response = json_response(status, entity.doc);
  response.headers.push_back({"ETag", etag(entity.revision)});
  return response;
}

// The parts of an admin request the dispatcher needs, parsed once.
struct Call {
  std::string method;
  std::vector<std::string> segments;  // after /admin/v1, decoded
  Query query;
  json body;  // null when the request had none
  std::optional<std::int64_t> if_match;
};

}  // namespace

struct AdminApi::Impl {
  AdminApiOptions options;

  // One connection per worker thread, reopened after a failure. `fresh`
  // drops the thread's connection first: after a PostgreSQL restart it still
  // looks open until used, and its first use fails.
  pqxx::connection& connection(bool fresh = false) {
    thread_local std::unique_ptr<pqxx::connection> cached;
    thread_local std::string cached_url;
    if (fresh || !cached || !cached->is_open() || cached_url != options.database_url) {
      cached.reset();
      cached = std::make_unique<pqxx::connection>(options.database_url);
      cached_url = options.database_url;
    }
    return *cached;
  }

  // One admin or audit call in one transaction; throws what pqxx throws.
  Result<HttpResponse> serve(const HttpRequest& request, const Call& call, bool audit_call,
                             const std::string& request_id, bool fresh);
  Result<HttpResponse> dispatch(ResourceStore& store, const Call& call);
  Result<HttpResponse> dispatch_audit(pqxx::dbtransaction& tx, const Actor& actor,
                                      const Call& call);
  Result<HttpResponse> export_audit(AuditQueries& queries, const Call& call);
};

AdminApi::AdminApi(AdminApiOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (!impl_->options.logger)
    impl_->options.logger = spdlog::default_logger();
}

AdminApi::~AdminApi() = default;

HttpResponse AdminApi::handle(const HttpRequest& request) {
  const std::string request_id = new_uuid_v7();
  const net::ProblemContext context{"", request_id, std::string(request.path())};
  const auto problem = [&](const Error& error) {
    auto response = net::problem_response(error, context);
    if (error.code == ErrorCode::kClientAdminUnauthenticated)
      response.headers.push_back({"WWW-Authenticate", "Bearer realm=\"lienthong-admin\""});
    return response;
  };
  const auto path = request.path();

  if (auto answer = node_endpoint(request, impl_->options))
    return answer->has_value() ? std::move(*answer).value() : problem(answer->error());
  if (path == std::string(kPrefix) + "/openapi.json") {
    if (request.method != "GET")
      return problem(make_error(ErrorCode::kClientMethodNotAllowed, "use GET"));
    return HttpResponse::with_body(200, openapi_document());
  }

  Call call;
  call.method = request.method;
  const auto target = boost::urls::parse_origin_form(request.target);
  if (!target.has_value())
    return problem(make_error(ErrorCode::kClientBadRequest, "the request target is not a URL"));
  for (const auto& segment : target->segments())
    call.segments.push_back(segment);
  const auto under = [&](const char* api) {
    return call.segments.size() >= 3 && call.segments[0] == api && call.segments[1] == "v1";
  };
  const bool audit_call = under("audit");
  if (!audit_call && !under("admin"))
    return problem(make_error(ErrorCode::kClientNotFound, "no admin endpoint at this path"));
  call.segments.erase(call.segments.begin(), call.segments.begin() + 2);
  for (const auto& param : target->params())
    call.query[param.key] = param.value;

  bool malformed_if_match = false;
  call.if_match = parse_if_match(request.header("If-Match"), malformed_if_match);
  if (malformed_if_match) {
    return problem(make_error(ErrorCode::kClientPreconditionFailed,
                              "If-Match must be an ETag this API returned, e.g. \"3\""));
  }
  if (!request.body.empty()) {
    if (!net::is_utf8_json_media_type(request.header("Content-Type"))) {
      return problem(make_error(ErrorCode::kClientUnsupportedMediaType,
                                "send the body as Content-Type: application/json, in UTF-8"));
    }
    if (policy::exceeds_json_depth(request.body, kMaxJsonDepth))
      return problem(make_error(ErrorCode::kClientBadRequest, "the JSON nests too deep"));
    call.body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (call.body.is_discarded())
      return problem(make_error(ErrorCode::kClientBadRequest, "the body is not valid JSON"));
    if (const auto pointer = find_nul_in_strings(call.body)) {
      Error error = make_error(ErrorCode::kClientInvalidInput,
                               "text may not contain the NUL character (\\u0000)");
      error.fields.push_back({*pointer, "contains \\u0000"});
      return problem(error);
    }
  }

  // A connection broken before the commit changed nothing, so the request is
  // tried once more on a new connection; only a second failure is a 503.
  for (int attempt = 0;; ++attempt) {
    try {
      auto outcome = impl_->serve(request, call, audit_call, request_id, /*fresh=*/attempt > 0);
      if (!outcome.has_value())
        return problem(outcome.error());  // the transaction rolled back: nothing changed
      return std::move(outcome).value();
    } catch (const pqxx::broken_connection& e) {
      if (attempt == 0)
        continue;
      const observability::LogScope log_scope(request_id);
      impl_->options.logger->error("admin request {}: database unreachable: {}", request_id,
                                   e.what());
      return problem(make_error(ErrorCode::kServerRegistryUnavailable,
                                "the registry database is unreachable; nothing was changed"));
    } catch (const std::exception& e) {
      const observability::LogScope log_scope(request_id);
      impl_->options.logger->error("admin request {} {} {} failed: {}", request_id, request.method,
                                   request.target, e.what());
      return problem(make_error(ErrorCode::kServerInternal, "nothing was changed"));
    }
  }
}

Result<HttpResponse> AdminApi::Impl::serve(const HttpRequest& request, const Call& call,
                                           bool audit_call, const std::string& request_id,
                                           bool fresh) {
  pqxx::work tx(connection(fresh));
  auto actor = authenticate_admin(tx, request.header("Authorization"));
  if (!actor.has_value())
    return std::move(actor).error();
  // The route table says who may call what; handlers then narrow what a
  // member-scoped caller sees (Actor::member_scope()).
  if (const auto* route = find_route(request.method, request.path())) {
    const auto& roles = route->access.roles;
    if (std::find(roles.begin(), roles.end(), actor.value().role) == roles.end()) {
      return make_error(ErrorCode::kClientForbidden, std::string(role_name(actor.value().role)) +
                                                         " tokens may not call " + route->method +
                                                         " " + route->path);
    }
  }
  ResourceStore store(tx, actor.value());
  auto outcome = audit_call ? dispatch_audit(tx, actor.value(), call) : dispatch(store, call);
  if (!outcome.has_value())
    return outcome;
  tx.commit();
  if (request.method != "GET" && options.after_change)
    options.after_change();
  outcome.value().headers.push_back({"X-Request-Id", request_id});
  return std::move(outcome).value();
}

// GET /audit/v1/export: the selected records as NDJSON or CSV, streamed.
Result<HttpResponse> AdminApi::Impl::export_audit(AuditQueries& queries, const Call& call) {
  const auto format = call.query.contains("format") ? call.query.at("format") : "ndjson";
  if (format != "ndjson" && format != "csv")
    return make_error(ErrorCode::kClientInvalidInput, "format is ndjson or csv");
  if (!options.workers)
    return make_error(ErrorCode::kServerInternal, "exports need the admin worker pool");
  auto sql = queries.export_query(call.query);
  if (!sql.has_value())
    return std::move(sql).error();
  HttpResponse response;
  response.headers.push_back(
      {"Content-Type", format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson"});
  response.headers.push_back(
      {"Content-Disposition", "attachment; filename=\"audit-export." + format + "\""});
  response.stream = make_audit_export(options.database_url, std::move(sql).value(),
                                      format == "csv" ? ExportFormat::kCsv : ExportFormat::kNdjson,
                                      options.workers);
  return response;
}

// /audit/v1/...: read-only, for auditors.
Result<HttpResponse> AdminApi::Impl::dispatch_audit(pqxx::dbtransaction& tx, const Actor& actor,
                                                    const Call& call) {
  const auto& segments = call.segments;
  const bool exchanges = segments[0] == "exchanges" && segments.size() <= 2;
  const bool report = (segments[0] == "verify" || segments[0] == "stats" ||
                       segments[0] == "export" || segments[0] == "connectivity") &&
                      segments.size() == 1;
  if (!exchanges && !report)
    return make_error(ErrorCode::kClientNotFound, "no audit endpoint at this path");
  if (call.method != "GET")
    return make_error(ErrorCode::kClientMethodNotAllowed, "allowed here: GET");
  auto queries = AuditQueries::open(tx, actor);
  if (!queries.has_value())
    return std::move(queries).error();
  if (segments[0] == "export")
    return export_audit(queries.value(), call);
  Result<json> answer = make_error(ErrorCode::kClientNotFound, "ids are positive integers");
  if (segments[0] == "verify") {
    answer = queries.value().verify(call.query);
  } else if (segments[0] == "stats") {
    answer = queries.value().stats(call.query);
  } else if (segments[0] == "connectivity") {
    answer = queries.value().connectivity(call.query);
  } else if (segments.size() == 1) {
    answer = queries.value().list(call.query);
  } else if (const auto id = parse_id(segments[1])) {
    answer = queries.value().get(*id);
  }
  if (!answer.has_value())
    return std::move(answer).error();
  return json_response(200, answer.value());
}

Result<HttpResponse> AdminApi::Impl::dispatch(ResourceStore& store, const Call& call) {
  const auto& segments = call.segments;
  const auto method_not_allowed = [](const std::string& allow) -> Result<HttpResponse> {
    return make_error(ErrorCode::kClientMethodNotAllowed, "allowed here: " + allow);
  };
  std::optional<std::int64_t> id;
  if (segments.size() >= 2) {
    id = parse_id(segments[1]);
    if (!id)
      return make_error(ErrorCode::kClientNotFound, "ids are positive integers");
  }

  if (segments[0] == "session") {
    if (call.method != "GET" || segments.size() > 1)
      return method_not_allowed("GET");
    const Actor& actor = store.actor();
    return json_response(200, {{"role", role_name(actor.role)},
                               {"member_id", actor.member_id ? json(*actor.member_id) : json()},
                               {"name", actor.name}});
  }
  if (segments[0] == "catalog") {
    if (call.method != "GET" || segments.size() > 1)
      return method_not_allowed("GET");
    return json_response(200, service_catalog(store.transaction()));
  }
  if (segments[0] == "admin-changes") {
    if (call.method != "GET" || segments.size() > 2)
      return method_not_allowed("GET");
    if (!id) {
      auto page = store.list_changes(call.query);
      if (!page.has_value())
        return std::move(page).error();
      return json_response(200, page.value());
    }
    auto change = store.get_change(*id);
    if (!change.has_value())
      return std::move(change).error();
    return json_response(200, change.value().doc);
  }

  if (segments[0] == "deliveries") {
    auto outcome =
        delivery_route(store.transaction(), store.actor(), call.method, segments, call.query);
    if (!outcome.has_value())
      return std::move(outcome).error();
    return json_response(200, outcome.value());
  }
  if (segments[0] == "provider-health") {
    if (call.method != "GET" || segments.size() > 1)
      return method_not_allowed("GET");
    if (!options.breakers)
      return make_error(ErrorCode::kClientNotFound, "this node calls no providers");
    return json_response(200,
                         provider_health(store.transaction(), store.actor(), *options.breakers));
  }

  const ResourceSpec* spec = find_resource(segments[0]);
  if (spec == nullptr || segments.size() > 3)
    return make_error(ErrorCode::kClientNotFound, "no admin endpoint at this path");

  if (segments.size() == 1) {
    if (call.method == "GET") {
      auto page = store.list(*spec, call.query);
      if (!page.has_value())
        return std::move(page).error();
      return json_response(200, page.value());
    }
    if (call.method == "POST" && spec->creatable) {
      auto created = store.create(*spec, call.body.is_null() ? json::object() : call.body);
      if (!created.has_value())
        return std::move(created).error();
      const auto& result = created.value();
      json body = result.entity.doc;
      if (!result.reveal.is_null()) {
        body["secret"] = result.reveal;
        body["secret_notice"] = "shown once; the hub keeps only its SHA-256";
      }
      auto response = json_response(201, body);
      response.headers.push_back({"ETag", etag(result.entity.revision)});
      response.headers.push_back(
          {"Location", std::string(kPrefix) + "/" + spec->name + "/" +
                           std::to_string(result.entity.doc["id"].get<std::int64_t>())});
      return response;
    }
    return method_not_allowed(spec->creatable ? "GET, POST" : "GET");
  }

  if (segments.size() == 2) {
    if (call.method == "GET") {
      auto entity = store.get(*spec, *id);
      if (!entity.has_value())
        return std::move(entity).error();
      return entity_response(200, entity.value());
    }
    if (call.method == "PATCH" && spec->patchable) {
      auto entity =
          store.update(*spec, *id, call.body.is_null() ? json::object() : call.body, call.if_match);
      if (!entity.has_value())
        return std::move(entity).error();
      return entity_response(200, entity.value());
    }
    return method_not_allowed(spec->patchable ? "GET, PATCH" : "GET");
  }

  if (spec->name == "agreements" && segments[2] == "events") {
    if (call.method != "GET")
      return method_not_allowed("GET");
    auto events = store.agreement_events(*id);
    if (!events.has_value())
      return std::move(events).error();
    return json_response(200, events.value());
  }
  const auto action = std::find_if(spec->actions.begin(), spec->actions.end(),
                                   [&](const ActionSpec& a) { return a.name == segments[2]; });
  if (action == spec->actions.end())
    return make_error(ErrorCode::kClientNotFound, "no action " + segments[2] + " on " + spec->name);
  if (call.method != "POST")
    return method_not_allowed("POST");
  std::string reason;
  if (!call.body.is_null()) {
    const bool well_formed =
        call.body.is_object() && call.body.size() <= 1 &&
        (call.body.empty() || (call.body.contains("reason") && call.body["reason"].is_string() &&
                               call.body["reason"].get_ref<const std::string&>().size() <= 2000));
    if (!well_formed) {
      Error error = make_error(ErrorCode::kClientInvalidInput,
                               "an action takes an optional {\"reason\": \"...\"} only");
      error.fields.push_back({"/reason", "optional string of at most 2000 characters"});
      return error;
    }
    reason = call.body.value("reason", std::string());
  }
  auto entity = store.act(*spec, *action, *id, reason, call.if_match);
  if (!entity.has_value())
    return std::move(entity).error();
  return entity_response(200, entity.value());
}

}  // namespace lienthong::admin

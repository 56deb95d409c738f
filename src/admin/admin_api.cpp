#include "lienthong/admin/admin_api.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "lienthong/core/json_text.hpp"
#include "lienthong/core/message_id.hpp"
#include "lienthong/core/utf8.hpp"
#include "lienthong/net/problem.hpp"
#include "lienthong/observability/log_context.hpp"

#include "access/admin_authenticator.hpp"
#include "operations/node_endpoints.hpp"
#include "query_values.hpp"
#include "registry/field_validation.hpp"
#include "route_call.hpp"

namespace lienthong::admin {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using nlohmann::json;

constexpr int kMaxJsonDepth = 32;

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

// The path's {id}: the segment of `path` where `route_path` has "{id}", when
// it is a positive number (the route table matched it as digits).
std::optional<std::int64_t> path_id(std::string_view route_path, std::string_view path) {
  const auto at = route_path.find("{id}");
  if (at == std::string_view::npos)
    return std::nullopt;
  const auto depth = std::count(route_path.begin(), route_path.begin() + at, '/');
  std::size_t start = 0;
  for (int slash = 0; slash < depth; ++slash)
    start = path.find('/', start) + 1;
  const auto segment = path.substr(start, path.find('/', start) - start);
  return parse_id(std::string(segment));
}

std::string joined(const std::vector<std::string>& methods) {
  std::string list;
  for (const auto& method : methods)
    list += (list.empty() ? "" : ", ") + method;
  return list;
}

}  // namespace

struct AdminApi::Impl {
  AdminApiOptions options;

  // One connection per worker thread, reopened after a failure. `fresh`
  // drops the thread's connection first: after a PostgreSQL restart it still
  // looks open until used, and its first use fails.
  pqxx::connection& connection(bool fresh = false) {
    thread_local std::unique_ptr<pqxx::connection> cached;
    thread_local std::string cached_url;
    return reuse(cached, cached_url, options.database_url, fresh);
  }
  // The same for the audit read URL (a replica).
  pqxx::connection& audit_read_connection(bool fresh = false) {
    thread_local std::unique_ptr<pqxx::connection> cached;
    thread_local std::string cached_url;
    return reuse(cached, cached_url, options.audit_read_url, fresh);
  }
  static pqxx::connection& reuse(std::unique_ptr<pqxx::connection>& cached, std::string& cached_url,
                                 const std::string& url, bool fresh) {
    if (fresh || !cached || !cached->is_open() || cached_url != url) {
      cached.reset();
      cached = std::make_unique<pqxx::connection>(url);
      cached_url = url;
    }
    return *cached;
  }

  // One call of a route that needs a token, in one transaction; throws what pqxx throws.
  Result<HttpResponse> serve(const HttpRequest& request, const Route& route, const Call& call,
                             const std::string& request_id, bool fresh);
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
  if (auto answer = console_endpoint(request, impl_->options))
    return answer->has_value() ? std::move(*answer).value() : problem(answer->error());

  std::vector<std::string> allowed;
  const Route* route = admin::find_route(request.method, request.path(), &allowed);
  if (route == nullptr) {
    if (allowed.empty())
      return problem(make_error(ErrorCode::kClientNotFound, "no admin endpoint at this path"));
    auto refused =
        problem(make_error(ErrorCode::kClientMethodNotAllowed, "allowed here: " + joined(allowed)));
    refused.headers.push_back({"Allow", joined(allowed)});
    return refused;
  }
  if (route->public_handler) {
    auto answer = route->public_handler(request, impl_->options);
    return answer.has_value() ? std::move(answer).value() : problem(answer.error());
  }

  Call call;
  call.method = request.method;
  const auto target = boost::urls::parse_origin_form(request.target);
  if (!target.has_value())
    return problem(make_error(ErrorCode::kClientBadRequest, "the request target is not a URL"));
  for (const auto& param : target->params()) {
    // Query values reach SQL parameters and the read log's JSON: text only.
    if (find_invalid_utf8(param.key) || find_invalid_utf8(param.value))
      return problem(make_error(ErrorCode::kClientBadRequest,
                                "query parameters are UTF-8 text (percent-encoded)"));
    call.query[param.key] = param.value;
  }
  if (route->info.path.find("{id}") != std::string::npos) {
    call.id = path_id(route->info.path, request.path());
    if (!call.id || *call.id == 0)
      return problem(make_error(ErrorCode::kClientNotFound, "ids are positive integers"));
  }

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
    auto body =
        parse_json_text(request.body, kMaxJsonDepth, ErrorCode::kClientBadRequest, "the body");
    if (!body.has_value())
      return problem(body.error());
    call.body = std::move(body).value();
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
      auto outcome = impl_->serve(request, *route, call, request_id, /*fresh=*/attempt > 0);
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

Result<HttpResponse> AdminApi::Impl::serve(const HttpRequest& request, const Route& route,
                                           const Call& call, const std::string& request_id,
                                           bool fresh) {
  pqxx::work tx(connection(fresh));
  auto actor = authenticate_admin(tx, request.header("Authorization"));
  if (!actor.has_value())
    return std::move(actor).error();
  // The route table says who may call what; handlers then narrow what a
  // member-scoped caller sees (Actor::member_scope()).
  const auto& roles = route.info.access.roles;
  if (std::find(roles.begin(), roles.end(), actor.value().role) == roles.end()) {
    return make_error(ErrorCode::kClientForbidden, std::string(role_name(actor.value().role)) +
                                                       " tokens may not call " + route.info.method +
                                                       " " + route.info.path);
  }
  // Auditor reads run on the audit read URL when one is set; writes, and
  // every other route, on the primary.
  std::optional<pqxx::read_transaction> replica;
  if (route.reads_audit_replica && !options.audit_read_url.empty())
    replica.emplace(audit_read_connection(fresh));
  pqxx::dbtransaction& reads = replica ? *replica : static_cast<pqxx::dbtransaction&>(tx);
  ResourceStore store(reads, actor.value());
  auto outcome = route.handler(RouteCall{call, reads, store, actor.value(), options, tx});
  if (!outcome.has_value())
    return outcome;
  tx.commit();
  if (request.method != "GET" && !route.reads_audit_replica && options.after_change)
    options.after_change();
  outcome.value().headers.push_back({"X-Request-Id", request_id});
  return std::move(outcome).value();
}

}  // namespace lienthong::admin

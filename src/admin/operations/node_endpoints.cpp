#include "operations/node_endpoints.hpp"

#include <boost/beast/core/string.hpp>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "operations/console_files.hpp"

namespace lienthong::admin {
namespace {

using net::HttpResponse;
using nlohmann::json;

constexpr std::string_view kConsole = "/console/";

// "Bearer <token>" against the configured token, in constant time; anything
// goes when no token is configured.
bool bearer_matches(std::string_view authorization, const std::string& token) {
  if (token.empty())
    return true;
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() != kScheme.size() + token.size() ||
      !boost::beast::iequals(authorization.substr(0, kScheme.size()), kScheme))
    return false;
  return CRYPTO_memcmp(authorization.data() + kScheme.size(), token.data(), token.size()) == 0;
}

HttpResponse readiness_response(const AdminApiOptions& options) {
  const Readiness readiness = options.readiness ? options.readiness() : Readiness{};
  json checks = json::object();
  for (const auto& [name, holds] : readiness.checks)
    checks[name] = holds;
  const json body{{"ready", readiness.ready},
                  {"registry_version", readiness.registry_version},
                  {"checks", checks}};
  return HttpResponse::with_body(readiness.ready ? 200 : 503, body.dump());
}

Result<HttpResponse> console(std::string_view path, const AdminApiOptions& options) {
  if (options.console_dir.empty())
    return make_error(ErrorCode::kClientNotFound, "this node serves no console");
  if (path == "/" || path == "/console") {
    HttpResponse moved = HttpResponse::with_body(308, "", "text/plain");
    moved.headers.push_back({"Location", std::string(kConsole)});
    return moved;
  }
  return console_file(options.console_dir, path.substr(kConsole.size()));
}

}  // namespace

Result<HttpResponse> liveness(const net::HttpRequest&, const AdminApiOptions&) {
  return HttpResponse::with_body(200, json{{"live", true}}.dump());
}

Result<HttpResponse> readiness(const net::HttpRequest&, const AdminApiOptions& options) {
  return readiness_response(options);
}

Result<HttpResponse> metrics(const net::HttpRequest& request, const AdminApiOptions& options) {
  if (!options.metrics)
    return make_error(ErrorCode::kClientNotFound, "this node publishes no metrics");
  if (!bearer_matches(request.header("Authorization"), options.metrics_token)) {
    return make_error(ErrorCode::kClientAdminUnauthenticated,
                      "/metrics wants the bearer token set as admin.metrics_token");
  }
  return HttpResponse::with_body(200, options.metrics(),
                                 "text/plain; version=0.0.4; charset=utf-8");
}

std::optional<Result<HttpResponse>> console_endpoint(const net::HttpRequest& request,
                                                     const AdminApiOptions& options) {
  const auto path = request.path();
  if (path != "/" && path != "/console" && !path.starts_with(kConsole))
    return std::nullopt;
  if (request.method != "GET")
    return make_error(ErrorCode::kClientMethodNotAllowed, "use GET");
  return console(path, options);
}

}  // namespace lienthong::admin

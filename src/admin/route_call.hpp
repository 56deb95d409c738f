#pragma once
// The admin and audit APIs' one route table (route_table.cpp) and what each
// route's handler gets: method, path template, the roles that may call it,
// and the handler. The dispatcher (admin_api.cpp), the OpenAPI test and the
// authorization test all read the same table.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/admin/admin_api.hpp"
#include "lienthong/core/json_text.hpp"
#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"

#include "registry/resource_store.hpp"

namespace lienthong::admin {

// The parts of an admin request every handler may need, parsed once.
struct Call {
  std::string method;
  std::vector<std::string> segments;  // the decoded path segments
  Query query;
  nlohmann::json body;  // null when the request had none
  std::optional<std::int64_t> if_match;
  std::optional<std::int64_t> id;  // the path's {id}, when its template has one
};

// A route that needs an admin token: it runs inside the request's transaction,
// after the caller's role has been checked against the route.
struct RouteCall {
  const Call& call;
  pqxx::dbtransaction& tx;  // on the audit read URL for routes that read there
  ResourceStore& store;
  const Actor& actor;
  const AdminApiOptions& options;
  pqxx::dbtransaction&
      primary;  // the primary's, for what must be written (the same as tx otherwise)
};
using RouteHandler = std::function<Result<net::HttpResponse>(const RouteCall&)>;

// A route anyone may call (health, metrics, the API description): answered
// before any token is read or transaction opened.
using PublicHandler =
    std::function<Result<net::HttpResponse>(const net::HttpRequest&, const AdminApiOptions&)>;

struct Route {
  RouteInfo info;
  RouteHandler handler;              // set when info.access.roles is not empty
  PublicHandler public_handler;      // set when it is
  bool reads_audit_replica = false;  // runs on AdminApiOptions::audit_read_url when set
};

const std::vector<Route>& route_table();

// The route of `method` and `path`; when none, whether another method is
// served at `path` (for 405 rather than 404), listed in `allowed`.
const Route* find_route(std::string_view method, std::string_view path,
                        std::vector<std::string>* allowed = nullptr);

inline net::HttpResponse json_response(int status, const nlohmann::json& body) {
  return net::HttpResponse::with_body(status, to_json_text(body));
}

inline std::string etag(std::int64_t revision) {
  return "\"" + std::to_string(revision) + "\"";
}

}  // namespace lienthong::admin

// What the listeners tell Prometheus about their connections and requests.
#include "lienthong/net/http_server.hpp"

namespace lienthong::net {

void HttpServer::write_metrics(
    observability::Exposition& out,
    const std::vector<std::pair<std::string, const HttpServer*>>& listeners) {
  out.family("lienthong_open_connections", "gauge", "Connections open, by listener.");
  for (const auto& [name, server] : listeners)
    out.sample("lienthong_open_connections", {{"listener", name}}, server->open_connections());
  out.family("lienthong_requests_in_flight", "gauge",
             "Requests between their first byte and their answer, by listener.");
  for (const auto& [name, server] : listeners)
    out.sample("lienthong_requests_in_flight", {{"listener", name}}, server->requests_in_flight());
}

}  // namespace lienthong::net

// A listener's options from the configuration: the exchange and admin
// listeners share the limits and thread count, each with its own address.
#include <algorithm>
#include <thread>

#include "lienthong/net/http_server.hpp"

namespace lienthong::net {

ServerOptions ServerOptions::from(const Config& config, const ListenAddress& listen) {
  ServerOptions o;
  o.listen = listen;
  o.threads = config.exchange.threads > 0
                  ? config.exchange.threads
                  : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.header_bytes = config.limits.header_bytes;
  o.body_bytes = config.limits.body_bytes;
  o.handshake_timeout_ms = config.limits.handshake_timeout_ms;
  o.read_timeout_ms = config.limits.read_timeout_ms;
  o.idle_timeout_ms = config.limits.idle_timeout_ms;
  o.max_connections = config.limits.max_connections;
  return o;
}

}  // namespace lienthong::net

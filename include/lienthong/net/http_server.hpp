#pragma once
// An HTTP/1.1 listener (TLS or plain) with keep-alive, a deadline on every
// read and write, and bounded headers, bodies and connection counts.
// Threading: one io_context per I/O thread; a single acceptor hands each new
// connection to the next thread, which then owns it for its whole life, so a
// connection never needs a lock or a strand.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "lienthong/core/config.hpp"
#include "lienthong/net/http_handler.hpp"
#include "lienthong/observability/exposition.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}  // namespace ssl
}  // namespace boost::asio

namespace spdlog {
class logger;
}

namespace lienthong::net {

struct ServerOptions {
  ListenAddress listen;
  int threads = 1;
  int header_bytes = 16 * 1024;
  int body_bytes = 1024 * 1024;
  int handshake_timeout_ms = 10'000;
  int read_timeout_ms = 15'000;
  int idle_timeout_ms = 60'000;
  int max_connections = 10'000;

  // Takes the listener-related fields of the hub configuration.
  static ServerOptions from(const Config& config, const ListenAddress& listen);
};

// Builds the handler for one I/O thread; it may keep per-thread state such as
// a connection pool bound to that thread's io_context.
using HandlerFactory = std::function<std::shared_ptr<HttpHandler>(boost::asio::io_context&)>;

class HttpServer {
 public:
  // `tls` null means plain HTTP (demo and test providers on loopback only).
  HttpServer(ServerOptions options, std::shared_ptr<boost::asio::ssl::context> tls,
             HandlerFactory factory, std::shared_ptr<spdlog::logger> logger);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the I/O threads. Throws std::runtime_error when the
  // address cannot be bound.
  void start();
  // Stops accepting and stops the I/O threads; returns when all have exited.
  // Connections are ended when the server is destroyed, so work other
  // threads complete in between (audit commits) still has a queue to post to.
  void stop();
  // Graceful shutdown, the notice before it: the listener still accepts and
  // serves, but every answer says Connection: close, so clients reconnect,
  // through a load balancer that has seen /readyz fail, to another node.
  void close_after_answers();
  // Graceful shutdown, first half: stops accepting, closes idle connections
  // as they come up, and waits up to `grace` for requests in flight to be
  // answered (each such answer says Connection: close). True when none is
  // left. Call stop() after it.
  bool drain(std::chrono::milliseconds grace);
  int requests_in_flight() const;
  // New connections use `tls` from now on; open ones keep theirs (reloading
  // certificates without dropping anyone). Only for a server made with TLS.
  void replace_tls(std::shared_ptr<boost::asio::ssl::context> tls);
  // The bound port (useful after listening on port 0).
  std::uint16_t port() const;
  // Connections currently open.
  int open_connections() const;

  // lienthong_open_connections and lienthong_requests_in_flight of each
  // listener, labelled with its name (e.g. "exchange", "admin").
  static void write_metrics(
      observability::Exposition& out,
      const std::vector<std::pair<std::string, const HttpServer*>>& listeners);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::net

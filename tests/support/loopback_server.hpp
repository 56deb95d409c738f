#pragma once
// Any HttpHandler served on a loopback port chosen by the OS, over plain
// HTTP or, given a server TLS context, HTTPS: demo systems and scripted
// providers in-process, stopped on destruction.

#include <memory>
#include <string>

#include "lienthong/net/http_handler.hpp"
#include "lienthong/net/http_server.hpp"

namespace boost::asio::ssl {
class context;
}

namespace lienthong::testing {

class LoopbackServer {
 public:
  // `port` 0: one the OS picks; else that one (to restart a provider where it was).
  explicit LoopbackServer(std::shared_ptr<net::HttpHandler> handler,
                          std::shared_ptr<boost::asio::ssl::context> tls = nullptr,
                          std::uint16_t port = 0);
  ~LoopbackServer();
  std::uint16_t port() const { return server_->port(); }
  std::string url() const {
    return (tls_ ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port());
  }

 private:
  bool tls_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace lienthong::testing

#include "loopback_server.hpp"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

namespace lienthong::testing {

LoopbackServer::LoopbackServer(std::shared_ptr<net::HttpHandler> handler,
                               std::shared_ptr<boost::asio::ssl::context> tls, std::uint16_t port)
    : tls_(tls != nullptr) {
  net::ServerOptions options;
  options.listen = ListenAddress{"127.0.0.1", port};
  options.threads = 1;
  server_ = std::make_unique<net::HttpServer>(
      options, std::move(tls), [handler](boost::asio::io_context&) { return handler; },
      std::make_shared<spdlog::logger>("loopback-server",
                                       std::make_shared<spdlog::sinks::null_sink_mt>()));
  server_->start();
}

LoopbackServer::~LoopbackServer() = default;

}  // namespace lienthong::testing

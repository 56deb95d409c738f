#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include "lienthong/demo/demo_provider.hpp"
#include "lienthong/net/http_server.hpp"

#include "commands.hpp"
#include "demo_commands.hpp"

namespace lienthong::cli {

// Each entry is NAME=HOST:PORT, e.g. population=127.0.0.1:9101.
int run_demo_provider(const std::vector<std::string>& systems, const std::string& log_level,
                      const demo::DemoOptions& options) {
  auto logger = make_logger(log_level);
  block_termination_signals();
  std::vector<std::unique_ptr<net::HttpServer>> servers;
  for (const auto& entry : systems) {
    const auto eq = entry.find('=');
    if (eq == std::string::npos)
      throw ConfigError("--serve: expected NAME=HOST:PORT, got " + entry);
    const std::string name = entry.substr(0, eq);
    auto handler = demo::make_demo_system(name, options);
    if (!handler)
      throw ConfigError("--serve: unknown demo system '" + name + "'");
    net::ServerOptions options;
    options.listen = ListenAddress::parse(entry.substr(eq + 1), "--serve " + name);
    options.threads = 1;
    auto server = std::make_unique<net::HttpServer>(
        options, nullptr, [handler](boost::asio::io_context&) { return handler; }, logger);
    server->start();
    logger->info("demo system '{}' on http://{}:{}", name, options.listen.host, server->port());
    servers.push_back(std::move(server));
  }
  wait_for_signal(nullptr);
  for (auto& server : servers)
    server->stop();
  return 0;
}

}  // namespace lienthong::cli

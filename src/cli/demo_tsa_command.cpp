// lienthong-demo tsa: the demo's Time-Stamping Authority (RFC 3161 over
// HTTP), for hubs configured with audit.timestamp_url. Plain HTTP is what
// RFC 3161 3.4 describes: the tokens are signed, the transport adds nothing.
#include <fstream>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include "lienthong/demo/timestamp_service.hpp"
#include "lienthong/net/http_server.hpp"

#include "commands.hpp"
#include "demo_commands.hpp"

namespace lienthong::cli {
namespace {

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError(what + ": cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int run_demo_tsa(const DemoTsaOptions& options) {
  auto logger = make_logger(options.log_level);
  auto authority =
      audit::TimestampAuthority::from_pem(read_file(options.certificate, "--certificate"),
                                          read_file(options.key, "--key"), options.policy);
  if (!authority.has_value())
    throw ConfigError(authority.error().detail);
  block_termination_signals();
  auto handler = demo::make_timestamp_service(
      std::make_shared<const audit::TimestampAuthority>(std::move(authority).value()));
  net::ServerOptions server_options;
  server_options.listen = ListenAddress::parse(options.listen, "--listen");
  server_options.threads = 1;
  net::HttpServer server(
      server_options, nullptr, [handler](boost::asio::io_context&) { return handler; }, logger);
  server.start();
  logger->info("demo time-stamping authority on http://{}:{}", server_options.listen.host,
               server.port());
  wait_for_signal(nullptr);
  server.stop();
  return 0;
}

}  // namespace lienthong::cli

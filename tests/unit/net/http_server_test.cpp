#include "lienthong/net/http_server.hpp"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

namespace lienthong::net {
namespace {

struct Unused : HttpHandler {
  boost::asio::awaitable<HttpResponse> handle(HttpRequest) override { co_return HttpResponse{}; }
  boost::asio::awaitable<HttpResponse> reject(HttpRequest, Error) override {
    co_return HttpResponse{};
  }
};

// A node whose port is taken says so and exits cleanly: the failed start
// leaves its acceptor open, which must not outlive the I/O context it is
// bound to (AddressSanitizer saw a use after free here, in a cluster run).
TEST(HttpServer, AStartOnATakenPortThrowsAndTheServerIsDestroyedCleanly) {
  ServerOptions options;
  options.listen = {"127.0.0.1", 0};
  auto handler = [](auto&) { return std::make_shared<Unused>(); };
  HttpServer holder(options, nullptr, handler, spdlog::null_logger_mt("http-server-holder"));
  holder.start();
  options.listen.port = holder.port();
  {
    HttpServer second(options, nullptr, handler, spdlog::null_logger_mt("http-server-second"));
    try {
      second.start();
      FAIL() << "two servers listen on port " << holder.port();
    } catch (const std::runtime_error& e) {
      EXPECT_NE(
          std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(holder.port())),
          std::string::npos)
          << e.what();
    }
  }
  holder.stop();
}

}  // namespace
}  // namespace lienthong::net

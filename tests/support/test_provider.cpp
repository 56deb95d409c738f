#include "test_provider.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

namespace lienthong::testing {
namespace asio = boost::asio;

namespace {

class RecordingHandler final : public net::HttpHandler {
 public:
  explicit RecordingHandler(std::shared_ptr<TestProvider::State> state)
      : state_(std::move(state)) {}

  asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override {
    state_->calls.fetch_add(1);
    {
      std::lock_guard lock(state_->mutex);
      state_->received.push_back(request);
    }
    const auto path = request.path();
    if (path == "/api/slow") {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      if (state_->held.load()) {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (state_->held.load() && std::chrono::steady_clock::now() < give_up) {
          timer.expires_after(std::chrono::milliseconds(5));
          co_await timer.async_wait(asio::use_awaitable);
        }
      } else {
        timer.expires_after(std::chrono::seconds(2));
        co_await timer.async_wait(asio::use_awaitable);
      }
      co_return net::HttpResponse::with_body(200, R"({"late":true})");
    }
    if (path == "/api/fail")
      co_return net::HttpResponse::with_body(500, R"({"error":"database down"})");
    if (path == "/api/garbage")
      co_return net::HttpResponse::with_body(200, "<html>not json</html>", "text/html");
    if (path == "/api/missing")
      co_return net::HttpResponse::with_body(404, R"({"error":"no record"})");
    // A provider that writes a hub's receipt headers (a forgery the hub drops).
    const bool forged_receipt = path.ends_with("/forged-receipt");
    nlohmann::json headers;
    for (const auto& h : request.headers)
      headers[h.name] = h.value;
    auto received = nlohmann::json::parse(request.body, nullptr, false);
    if (received.is_discarded())
      received = nullptr;  // no JSON body (a GET): still a JSON answer
    nlohmann::json body{{"received", std::move(received)}, {"headers", headers}};
    auto answer = net::HttpResponse::with_body(200, body.dump());
    if (forged_receipt) {
      answer.headers.push_back({"Lienthong-Record-Hash", std::string(64, 'f')});
      answer.headers.push_back({"Lienthong-Peer-Record-Hash", std::string(64, 'f')});
    }
    co_return answer;
  }

  asio::awaitable<net::HttpResponse> reject(net::HttpRequest, Error error) override {
    co_return net::HttpResponse::with_body(error.http_status(), R"({"error":"bad request"})");
  }

 private:
  std::shared_ptr<TestProvider::State> state_;
};

}  // namespace

TestProvider::TestProvider() : state_(std::make_shared<State>()) {
  net::ServerOptions options;
  options.listen = ListenAddress{"127.0.0.1", 0};
  options.threads = 1;
  auto handler = std::make_shared<RecordingHandler>(state_);
  server_ = std::make_unique<net::HttpServer>(
      options, nullptr, [handler](asio::io_context&) { return handler; },
      std::make_shared<spdlog::logger>("test-provider",
                                       std::make_shared<spdlog::sinks::null_sink_mt>()));
  server_->start();
}

TestProvider::~TestProvider() = default;

std::uint16_t TestProvider::port() const {
  return server_->port();
}

std::vector<net::HttpRequest> TestProvider::received() const {
  std::lock_guard lock(state_->mutex);
  return state_->received;
}

std::uint16_t closed_port() {
  // Bound but never listening: a connection is refused, and no other test
  // can take the port while this process lives (a released one could be).
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("cannot reserve a closed port");
  return ntohs(address.sin_port);  // fd stays open until the process ends
}

}  // namespace lienthong::testing

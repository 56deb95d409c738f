// Holds many idle keep-alive TLS connections open against a server, for the
// memory scenario of bench/run.sh: each connection completes the mutual-TLS
// handshake, sends one request and reads its answer, then stays open and
// idle. Prints "LT_IDLE open=N failed=F" once all are up, holds them for
// --hold-seconds (while the harness reads the server's memory), then exits.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "lienthong/net/tls_context.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Stream = asio::ssl::stream<asio::ip::tcp::socket>;

struct Options {
  std::string host = "127.0.0.1";
  std::string port;
  std::string path = "/";
  int connections = 10000;
  int parallel = 64;
  int hold_seconds = 10;
  lienthong::net::ClientTlsFiles tls;
};

struct Tally {
  int next = 0;
  int open = 0;
  int failed = 0;
  std::string first_error;
};

// Opens one connection, completes one request on it, and keeps it.
asio::awaitable<void> open_one(const Options& options, asio::ssl::context& tls,
                               const asio::ip::tcp::resolver::results_type& endpoints,
                               std::vector<std::unique_ptr<Stream>>& kept, Tally& tally) {
  auto executor = co_await asio::this_coro::executor;
  auto stream = std::make_unique<Stream>(executor, tls);
  try {
    co_await asio::async_connect(stream->next_layer(), endpoints, asio::use_awaitable);
    stream->set_verify_callback(asio::ssl::host_name_verification("localhost"));
    co_await stream->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    http::request<http::empty_body> request{http::verb::get, options.path, 11};
    request.set(http::field::host, "localhost");
    request.keep_alive(true);
    co_await http::async_write(*stream, request, asio::use_awaitable);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    co_await http::async_read(*stream, buffer, response, asio::use_awaitable);
    if (response.result_int() >= 500 || !response.keep_alive())
      throw std::runtime_error("answer " + std::to_string(response.result_int()) +
                               (response.keep_alive() ? "" : ", connection closed"));
    kept.push_back(std::move(stream));
    ++tally.open;
  } catch (const std::exception& e) {
    if (tally.failed++ == 0)
      tally.first_error = e.what();
  }
}

// One of --parallel openers: takes the next connection number until none are left.
asio::awaitable<void> opener(const Options& options, asio::ssl::context& tls,
                             const asio::ip::tcp::resolver::results_type& endpoints,
                             std::vector<std::unique_ptr<Stream>>& kept, Tally& tally) {
  while (tally.next < options.connections) {
    ++tally.next;
    co_await open_one(options, tls, endpoints, kept, tally);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Hold idle keep-alive TLS connections open (bench/run.sh)"};
  app.add_option("--host", options.host);
  app.add_option("--port", options.port)->required();
  app.add_option("--path", options.path, "request sent once on each connection");
  app.add_option("--connections", options.connections)->check(CLI::Range(1, 100000));
  app.add_option("--parallel", options.parallel, "handshakes in progress at once")
      ->check(CLI::Range(1, 1000));
  app.add_option("--hold-seconds", options.hold_seconds)->check(CLI::Range(0, 600));
  app.add_option("--ca", options.tls.extra_ca_file)->required();
  app.add_option("--cert", options.tls.certificate)->required();
  app.add_option("--key", options.tls.private_key)->required();
  CLI11_PARSE(app, argc, argv);

  asio::io_context io;
  auto tls = lienthong::net::make_client_tls_context(options.tls);
  const auto endpoints = asio::ip::tcp::resolver(io).resolve(options.host, options.port);
  std::vector<std::unique_ptr<Stream>> kept;
  kept.reserve(static_cast<std::size_t>(options.connections));
  Tally tally;
  for (int i = 0; i < std::min(options.parallel, options.connections); ++i)
    asio::co_spawn(io, opener(options, *tls, endpoints, kept, tally), asio::detached);
  io.run();

  std::printf("LT_IDLE open=%d failed=%d\n", tally.open, tally.failed);
  if (tally.failed > 0)
    std::printf("LT_IDLE first error: %s\n", tally.first_error.c_str());
  std::fflush(stdout);
  // Idle: nothing is read or written until the process ends and closes them.
  std::this_thread::sleep_for(std::chrono::seconds(options.hold_seconds));
  return tally.failed == 0 ? 0 : 1;
}

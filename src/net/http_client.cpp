#include "lienthong/net/http_client.hpp"

#include <deque>
#include <random>
#include <sys/socket.h>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "lienthong/net/http_fields.hpp"

#include "beast_conversions.hpp"

namespace lienthong::net {

ClientOptions ClientOptions::from(const Config& config) {
  return {std::chrono::milliseconds(config.provider.connect_timeout_ms),
          config.provider.max_idle_per_host, static_cast<std::uint64_t>(config.limits.body_bytes),
          config.provider.retries};
}
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// Providers commonly close idle keep-alive connections after 30-60 s; retire
// ours well before, so we rarely race the provider's close.
constexpr auto kMaxIdleAge = std::chrono::seconds(20);
constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;

struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  Clock::time_point idle_since{};

  beast::tcp_stream& tcp_layer() { return secure ? secure->next_layer() : *plain; }

  // A pooled connection is reusable only if the provider has neither closed
  // it nor sent anything unasked (e.g. a TLS close_notify).
  bool still_open() {
    if (Clock::now() - idle_since > kMaxIdleAge)
      return false;
    if (buffer.size() != 0)
      return false;
    char byte;
    const auto n = ::recv(tcp_layer().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

// What one attempt did, to decide whether another is safe.
struct Attempt {
  bool sent = false;      // bytes of the request may have reached the provider
  bool broken = false;    // the connection failed (not a timeout, not a bad answer)
  bool reusable = false;  // the answer allows keeping the connection
};

bool idempotent(http::verb method) {
  return method == http::verb::get || method == http::verb::head || method == http::verb::put ||
         method == http::verb::delete_ || method == http::verb::options;
}

Error timeout_error(const HttpEndpoint& endpoint) {
  return make_error(ErrorCode::kProviderTimeout,
                    "no answer from " + endpoint.host_header() + " within the service timeout");
}

Error unreachable_error(const HttpEndpoint& endpoint, const std::string& why) {
  return make_error(ErrorCode::kProviderUnreachable,
                    "cannot reach " + endpoint.host_header() + ": " + why);
}

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

http::request<http::string_body> to_beast_request(HttpRequest&& request,
                                                  const HttpEndpoint& endpoint) {
  http::request<http::string_body> out;
  out.method_string(request.method);
  out.target(request.target);
  out.version(11);
  for (auto& h : request.headers) {
    if (!detail::is_hop_by_hop(h.name) && !beast::iequals(h.name, "host")) {
      out.set(h.name, std::move(h.value));
    }
  }
  out.set(http::field::host, endpoint.host_header());
  out.body() = std::move(request.body);
  out.keep_alive(true);
  out.prepare_payload();
  return out;
}

}  // namespace

struct HttpClient::Impl {
  Impl(asio::io_context& io, std::shared_ptr<asio::ssl::context> client_tls, ClientOptions opts)
      : context(io), tls(std::move(client_tls)), options(opts) {}

  asio::io_context& context;
  std::shared_ptr<asio::ssl::context> tls;
  ClientOptions options;
  std::unordered_map<std::string, std::deque<std::unique_ptr<Connection>>> idle;
  std::minstd_rand jitter{std::random_device{}()};

  asio::awaitable<Result<HttpResponse>> attempt_once(const HttpEndpoint& endpoint,
                                                     const std::string& key,
                                                     http::request<http::string_body>& message,
                                                     Clock::time_point deadline, Attempt& attempt);

  std::unique_ptr<Connection> take_idle(const std::string& key) {
    auto it = idle.find(key);
    if (it == idle.end())
      return nullptr;
    auto& queue = it->second;
    while (!queue.empty()) {
      auto connection = std::move(queue.back());
      queue.pop_back();
      if (connection->still_open())
        return connection;
    }
    return nullptr;
  }

  void give_back(const std::string& key, std::unique_ptr<Connection> connection) {
    auto& queue = idle[key];
    if (static_cast<int>(queue.size()) >= options.max_idle_per_endpoint)
      return;
    connection->idle_since = Clock::now();
    queue.push_back(std::move(connection));
  }

  asio::awaitable<Result<std::unique_ptr<Connection>>> connect(const HttpEndpoint& endpoint,
                                                               Clock::time_point deadline) {
    auto connection = std::make_unique<Connection>();
    connection->plain = std::make_unique<beast::tcp_stream>(context);
    beast::tcp_stream& stream = *connection->plain;

    tcp::resolver resolver(context);
    auto [resolve_ec, results] =
        co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), kNoThrow);
    if (resolve_ec)
      co_return unreachable_error(endpoint, "name resolution failed");

    stream.expires_after(std::min(options.connect_timeout, remaining(deadline)));
    auto [connect_ec, connected] = co_await stream.async_connect(results, kNoThrow);
    if (connect_ec == beast::error::timeout)
      co_return timeout_error(endpoint);
    if (connect_ec)
      co_return unreachable_error(endpoint, connect_ec.message());
    stream.socket().set_option(tcp::no_delay(true));
    if (!endpoint.tls)
      co_return std::move(connection);

    if (!tls)
      co_return unreachable_error(endpoint, "HTTPS is not configured in this hub");
    connection->secure =
        std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(stream), *tls);
    connection->plain.reset();
    auto& secure = *connection->secure;
    // SNI, then verification of the certificate against the host name.
    if (!SSL_set_tlsext_host_name(secure.native_handle(), endpoint.host.c_str())) {
      co_return unreachable_error(endpoint, "cannot set TLS server name");
    }
    secure.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    secure.next_layer().expires_after(std::min(options.connect_timeout, remaining(deadline)));
    auto [handshake_ec] = co_await secure.async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (handshake_ec == beast::error::timeout)
      co_return timeout_error(endpoint);
    if (handshake_ec)
      co_return unreachable_error(endpoint, "TLS handshake failed: " + handshake_ec.message());
    co_return std::move(connection);
  }

  template <class Stream>
  asio::awaitable<Result<HttpResponse>> exchange(Stream& stream, Connection& connection,
                                                 const HttpEndpoint& endpoint,
                                                 http::request<http::string_body>& request,
                                                 Clock::time_point deadline, Attempt& attempt) {
    connection.tcp_layer().expires_after(remaining(deadline));
    attempt.sent = true;
    auto [write_ec, written] = co_await http::async_write(stream, request, kNoThrow);
    if (write_ec == beast::error::timeout)
      co_return timeout_error(endpoint);
    if (write_ec) {
      attempt.broken = true;
      co_return unreachable_error(endpoint, write_ec.message());
    }

    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxResponseHeaderBytes);
    parser.body_limit(options.max_response_bytes);
    auto [read_ec, read] = co_await http::async_read(stream, connection.buffer, parser, kNoThrow);
    if (read_ec == beast::error::timeout)
      co_return timeout_error(endpoint);
    if (read_ec == http::error::body_limit) {
      co_return make_error(ErrorCode::kProviderBadResponse, "the provider's response is too large");
    }
    if (read_ec == http::error::end_of_stream || read_ec == asio::error::connection_reset ||
        read_ec == asio::error::eof || read_ec == http::error::partial_message) {
      attempt.broken = true;
      co_return make_error(ErrorCode::kProviderBadResponse,
                           "the provider closed the connection before a complete response");
    }
    // With TLS 1.3 a server that refuses our client certificate says so only
    // after the handshake, as an alert where the response should be.
    if (read_ec.category() == asio::error::get_ssl_category()) {
      attempt.broken = true;
      co_return make_error(ErrorCode::kProviderBadResponse,
                           "the provider ended the TLS session instead of answering (" +
                               read_ec.message() +
                               "): does it accept this hub's client certificate?");
    }
    if (read_ec) {
      co_return make_error(ErrorCode::kProviderBadResponse,
                           "the provider's response is not valid HTTP");
    }
    auto& message = parser.get();
    attempt.reusable = message.keep_alive();
    HttpResponse response;
    response.status = static_cast<int>(message.result_int());
    response.headers = detail::copy_headers(message.base());
    response.body = std::move(message.body());
    co_return response;
  }
};

HttpClient::HttpClient(asio::io_context& context, std::shared_ptr<asio::ssl::context> tls,
                       ClientOptions options)
    : impl_(std::make_unique<Impl>(context, std::move(tls), options)) {}

HttpClient::~HttpClient() = default;

asio::awaitable<Result<HttpResponse>> HttpClient::Impl::attempt_once(
    const HttpEndpoint& endpoint, const std::string& key, http::request<http::string_body>& message,
    Clock::time_point deadline, Attempt& attempt) {
  auto connection = take_idle(key);
  if (!connection) {
    auto connected = co_await connect(endpoint, deadline);
    if (!connected.has_value())
      co_return std::move(connected).error();
    connection = std::move(connected).value();
  }
  // Plain if/else: GCC 12 miscompiles co_await inside a conditional expression.
  Result<HttpResponse> result = make_error(ErrorCode::kServerInternal, "not sent");
  if (connection->secure) {
    result =
        co_await exchange(*connection->secure, *connection, endpoint, message, deadline, attempt);
  } else {
    result =
        co_await exchange(*connection->plain, *connection, endpoint, message, deadline, attempt);
  }
  if (result.has_value() && attempt.reusable)
    give_back(key, std::move(connection));
  co_return result;
}

asio::awaitable<Result<HttpResponse>> HttpClient::send(const HttpEndpoint& endpoint,
                                                       HttpRequest request,
                                                       std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string key = endpoint.origin();
  // Nothing reaches the provider's connection unless it can only be read as
  // this one request: a CR or LF in a value would split it in two.
  if (auto checked = check_outgoing_request(request); !checked.has_value())
    co_return std::move(checked).error();
  auto message = to_beast_request(std::move(request), endpoint);
  for (int retry = 0;; ++retry) {
    Attempt attempt;
    auto result = co_await impl_->attempt_once(endpoint, key, message, deadline, attempt);
    if (result.has_value() || retry >= impl_->options.retries)
      co_return result;
    const bool safe = result.error().code != ErrorCode::kProviderTimeout &&
                      (!attempt.sent || (attempt.broken && idempotent(message.method())));
    // A short, jittered pause, so many callers do not hit a recovering provider at once.
    const auto pause = std::chrono::milliseconds(25 * (1 << retry) + impl_->jitter() % 25);
    if (!safe || Clock::now() + pause >= deadline)
      co_return result;
    asio::steady_timer timer(impl_->context, pause);
    co_await timer.async_wait(kNoThrow);
  }
}

}  // namespace lienthong::net

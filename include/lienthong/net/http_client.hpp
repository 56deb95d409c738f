#pragma once
// Outbound HTTP/1.1 client for calls from the hub to provider systems:
// keep-alive connections pooled per endpoint, a connect deadline and a total
// deadline per call, TLS with certificate and host-name verification and SNI.
// One client per I/O thread; it is not thread-safe and needs no lock.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "lienthong/core/config.hpp"
#include "lienthong/core/result.hpp"
#include "lienthong/net/http_endpoint.hpp"
#include "lienthong/net/http_message.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}  // namespace ssl
}  // namespace boost::asio

namespace lienthong::net {

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{3'000};
  int max_idle_per_endpoint = 32;
  std::uint64_t max_response_bytes = 16 * 1024 * 1024;
  // Extra attempts after a failed one, only where the provider cannot have
  // acted on the request twice: the connection failed before anything was
  // sent, or the method is idempotent (GET, HEAD, PUT, DELETE, OPTIONS) and
  // the connection broke. Never after a timeout: the deadline covers them all.
  int retries = 1;

  // The [provider] settings, with limits.body_bytes as the largest answer.
  static ClientOptions from(const Config& config);
};

class HttpClient {
 public:
  // `tls` may be null when no HTTPS endpoints are used (tests, demo).
  HttpClient(boost::asio::io_context& context, std::shared_ptr<boost::asio::ssl::context> tls,
             ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` (its target is the full path) to `endpoint` and reads the
  // answer, all within `timeout`, retrying where safe (ClientOptions::retries).
  // A pooled connection the provider closed while idle is detected before
  // use, so a non-idempotent request is never sent twice.
  // Errors: Provider.Unreachable, Provider.Timeout, Provider.BadResponse.
  boost::asio::awaitable<Result<HttpResponse>> send(const HttpEndpoint& endpoint,
                                                    HttpRequest request,
                                                    std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request through a client of its own on a private io_context of the
// calling thread, blocking until answered or `timeout`: for the hub's
// background threads (peer catalogues, trusted timestamps), not its I/O
// threads. Errors as HttpClient::send.
Result<HttpResponse> send_blocking(std::shared_ptr<boost::asio::ssl::context> tls,
                                   ClientOptions options, const HttpEndpoint& endpoint,
                                   HttpRequest request, std::chrono::milliseconds timeout);

}  // namespace lienthong::net

#include "peer_fetch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "lienthong/registry/snapshot.hpp"

#include "peer_tls.hpp"

namespace lienthong::federation {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

asio::awaitable<Result<std::string>> get(const registry::PeerEntry& peer, std::string target,
                                         std::shared_ptr<asio::ssl::context> tls,
                                         const FetchOptions& options) {
  auto executor = co_await asio::this_coro::executor;
  beast::ssl_stream<beast::tcp_stream> stream(executor, *tls);
  auto& tcp_stream = beast::get_lowest_layer(stream);
  tcp_stream.expires_after(options.timeout);
  const auto& endpoint = peer.endpoint;
  try {
    tcp::resolver resolver(executor);
    const auto addresses = co_await resolver.async_resolve(
        endpoint.host, std::to_string(endpoint.port), asio::use_awaitable);
    co_await tcp_stream.async_connect(addresses, asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    co_return make_error(e.code() == beast::error::timeout ? ErrorCode::kProviderTimeout
                                                           : ErrorCode::kProviderUnreachable,
                         "cannot connect to " + endpoint.origin() + ": " + e.code().message());
  }
  try {
    SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str());
    stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    co_return make_error(ErrorCode::kProviderUnreachable,
                         "TLS with " + endpoint.origin() +
                             " failed (its certificate must chain "
                             "to the CA registered for the peer and name " +
                             endpoint.host + "): " + e.code().message());
  }
  try {
    http::request<http::empty_body> request{http::verb::get, endpoint.base_path + target, 11};
    request.set(http::field::host, endpoint.host_header());
    request.set(http::field::accept, "application/jose");
    request.set(http::field::connection, "close");
    co_await http::async_write(stream, request, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    auto response = parser.release();
    if (response.result_int() != 200) {
      std::string body = response.body().substr(0, 500);
      co_return make_error(
          ErrorCode::kProviderBadResponse,
          "the peer answered " + std::to_string(response.result_int()) + ": " + body);
    }
    co_return std::move(response.body());
  } catch (const boost::system::system_error& e) {
    co_return make_error(
        e.code() == beast::error::timeout ? ErrorCode::kProviderTimeout
                                          : ErrorCode::kProviderBadResponse,
        "reading the answer of " + endpoint.origin() + " failed: " + e.code().message());
  }
}

}  // namespace

Result<std::string> fetch_from_peer(const registry::PeerEntry& peer, const std::string& path,
                                    const FetchOptions& options) {
  std::shared_ptr<asio::ssl::context> tls;
  try {
    tls = make_peer_tls(peer.tls_ca_pem, options.client_certificate, options.client_key);
  } catch (const boost::system::system_error& e) {
    return make_error(ErrorCode::kServerInternal, "cannot set up TLS for peer " + peer.instance +
                                                      " (its CA, or our client "
                                                      "certificate): " +
                                                      e.code().message());
  }
  asio::io_context context;
  std::optional<Result<std::string>> outcome;
  auto fetch = [&]() -> asio::awaitable<void> {
    outcome.emplace(co_await get(peer, path, tls, options));
  };
  asio::co_spawn(context, fetch(), [&](std::exception_ptr failure) {
    if (failure)
      outcome.emplace(make_error(ErrorCode::kServerInternal, "the fetch failed"));
  });
  context.run();
  return outcome ? std::move(*outcome)
                 : Result<std::string>(make_error(ErrorCode::kServerInternal, "no outcome"));
}

}  // namespace lienthong::federation

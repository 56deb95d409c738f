#include "peer_fetch.hpp"

#include <boost/system/system_error.hpp>

#include "lienthong/net/http_client.hpp"
#include "lienthong/registry/snapshot.hpp"

#include "peer_tls.hpp"

namespace lienthong::federation {

// The hub's own HTTP client (deadlines, host-name verification, body limit)
// on an io_context of the calling thread, with the peer's TLS context.
Result<std::string> fetch_from_peer(const registry::PeerEntry& peer, const std::string& path,
                                    const FetchOptions& options) {
  namespace asio = boost::asio;
  std::shared_ptr<asio::ssl::context> tls;
  try {
    tls = make_peer_tls(peer.tls_ca_pem, options.client_certificate, options.client_key);
  } catch (const boost::system::system_error& e) {
    return make_error(ErrorCode::kServerInternal,
                      "cannot set up TLS for peer " + peer.instance +
                          " (its CA, or our client certificate): " + e.code().message());
  }
  net::ClientOptions client_options;
  client_options.connect_timeout = options.timeout;
  client_options.max_idle_per_endpoint = 0;
  client_options.max_response_bytes = options.max_body_bytes;
  net::HttpRequest request;
  request.method = "GET";
  request.target = peer.endpoint.base_path + path;
  request.headers = {{"Accept", "application/jose"}};
  auto outcome = net::send_blocking(std::move(tls), client_options, peer.endpoint,
                                    std::move(request), options.timeout);
  if (!outcome.has_value())
    return std::move(outcome).error();
  net::HttpResponse answer = std::move(outcome).value();
  if (answer.status != 200) {
    return make_error(
        ErrorCode::kProviderBadResponse,
        "the peer answered " + std::to_string(answer.status) + ": " + answer.body.substr(0, 500));
  }
  return std::move(answer.body);
}

}  // namespace lienthong::federation

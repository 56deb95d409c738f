// GET /federation/v1/catalogue: a peer hub pulls the catalogue of the
// services this hub publishes to it. The caller is identified by its client
// certificate alone (a peer is not a member system), and the call is audited
// like any other, with the peer's instance as the consumer.
#include "lienthong/federation/catalogue_publisher.hpp"

#include "../exchange_context.hpp"

namespace lienthong::exchange {

Outcome peer_catalogue(ExchangeContext& exchange, const NodeParts& node) {
  const federation::CataloguePublisher* publisher = node.deps.catalogues.get();
  if (publisher == nullptr)
    co_return make_error(ErrorCode::kClientNotFound,
                         "this hub exchanges with no peer hubs (federation.instance is not set)");
  if (!exchange.snapshot)
    co_return make_error(ErrorCode::kServerRegistryUnavailable,
                         "the registry has not been loaded yet");
  const std::string& fingerprint = exchange.request.peer.certificate_sha256;
  const registry::PeerEntry* peer =
      fingerprint.empty() ? nullptr : exchange.snapshot->peer_by_certificate(fingerprint);
  if (peer == nullptr)
    co_return make_error(ErrorCode::kClientUnauthenticated,
                         fingerprint.empty() ? "a peer hub presents its client certificate"
                                             : "the client certificate (SHA-256 " + fingerprint +
                                                   ") is not that of an active peer hub");
  exchange.record.consumer = peer->instance;
  auto response = net::HttpResponse::with_body(
      200,
      publisher->issue(*peer, exchange.snapshot->registry_changes(), exchange.request.received_at),
      "application/jose");
  response.headers.push_back({"X-Request-Id", exchange.record.request_id});
  response.headers.push_back({"Cache-Control", "no-store"});
  co_return response;
}

}  // namespace lienthong::exchange

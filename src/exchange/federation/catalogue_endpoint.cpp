// GET /federation/v1/catalogue: a peer hub pulls the catalogue of the
// services this hub publishes to it. The caller is identified by its client
// certificate alone (a peer is not a member system), and the call is audited
// like any other, with the peer's instance as the consumer.
#include "lienthong/federation/catalogue_publisher.hpp"

#include "identify_peer.hpp"

namespace lienthong::exchange {

Outcome peer_catalogue(ExchangeContext& exchange, const NodeParts& node) {
  const std::string& fingerprint = exchange.request.peer.certificate_sha256;
  auto peer = identify_peer(exchange, node,
                            fingerprint.empty() ? "a peer hub presents its client certificate"
                                                : "the client certificate (SHA-256 " + fingerprint +
                                                      ") is not that of an active peer hub");
  if (!peer.has_value())
    co_return std::move(peer).error();
  const federation::CataloguePublisher* publisher = node.deps.catalogues.get();
  exchange.record.consumer = peer.value()->instance;
  const auto transit = node.deps.held_catalogues
                           ? federation::transit_entries(
                                 *exchange.snapshot, *node.deps.held_catalogues, *peer.value(),
                                 publisher->instance(), exchange.request.received_at)
                           : federation::TransitEntries{};
  auto response = net::HttpResponse::with_body(
      200,
      publisher->issue(*peer.value(), exchange.snapshot->registry_changes(),
                       exchange.request.received_at, transit),
      "application/jose");
  response.headers.push_back({"X-Request-Id", exchange.record.request_id});
  response.headers.push_back({"Cache-Control", "no-store"});
  co_return response;
}

}  // namespace lienthong::exchange

// POST /federation/v1/messages: an envelope a peer hub passes on for one of
// its own systems. The peer is known by its pinned client certificate; what
// it vouches for (the Lienthong-Assertion header) is checked against the key
// registered for it; then the original caller, registered here as a system
// of the peer's instance, goes through the same pipeline as a local caller:
// our agreement for it, our schemas, our limits, our audit record.
#include "lienthong/federation/catalogue_publisher.hpp"
#include "lienthong/federation/replay_guard.hpp"
#include "lienthong/pipeline/stages.hpp"

#include "identify_peer.hpp"

namespace lienthong::exchange {

Outcome peer_message(ExchangeContext& exchange, const NodeParts& node) {
  auto identified = identify_peer(exchange, node,
                                  "only an active peer hub, by its registered client "
                                  "certificate, may pass on exchanges here");
  if (!identified.has_value())
    co_return std::move(identified).error();
  const registry::PeerEntry* peer = identified.value();
  const federation::CataloguePublisher* hub = node.deps.catalogues.get();
  const net::HttpRequest& request = exchange.request;

  // Whatever we answer a known peer, our record's hash goes with it.
  exchange.receipt_for_peer = true;
  exchange.record.upstream_instance = peer->instance;
  const std::string_view token = request.header(federation::kAssertionHeader);
  if (token.empty())
    co_return make_error(ErrorCode::kClientUnauthenticated,
                         "a peer hub vouches for the caller in the " +
                             std::string(federation::kAssertionHeader) + " header");
  if (token.size() > federation::kMaxAssertionBytes)
    co_return make_error(ErrorCode::kClientUnauthenticated,
                         "the assertion is longer than " +
                             std::to_string(federation::kMaxAssertionBytes) + " bytes");
  // Kept as the peer sent it, checked or not: the peer is known by its
  // certificate, so what it vouched for (or forged) is its own.
  exchange.record.upstream_assertion = std::string(token);
  federation::AssertionExpectation expected;
  expected.issuer = peer->instance;
  expected.audience = hub->instance();
  expected.public_key_pem = peer->catalogue_key_pem;
  expected.now = request.received_at;
  expected.max_clock_skew = node.deps.max_clock_skew;
  expected.body = request.body;
  auto check = federation::verify_assertion(token, expected);
  if (!check.claims)
    co_return make_error(ErrorCode::kClientUnauthenticated, check.refusal);
  const federation::AssertionClaims& claims = *check.claims;
  exchange.record.consumer = claims.consumer;
  exchange.record.correlation_id = claims.message_id;

  switch (node.deps.assertion_replays->use(peer->instance + "/" + claims.token_id,
                                           claims.expires_at, request.received_at)) {
    case federation::ReplayGuard::Use::kFirst:
      break;
    case federation::ReplayGuard::Use::kReplay:
      co_return make_error(
          ErrorCode::kClientUnauthenticated,
          "assertion refused: " + claims.token_id + " was used already (a replay)");
    case federation::ReplayGuard::Use::kFull:
      co_return make_error(ErrorCode::kServerInternal,
                           "too many assertions in their validity window; try again shortly");
  }

  const PeerCrossing crossing{*peer, claims};
  co_return co_await envelope_exchange(exchange, node, nullptr, &crossing);
}

}  // namespace lienthong::exchange

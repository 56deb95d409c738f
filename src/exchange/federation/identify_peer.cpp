#include "identify_peer.hpp"

#include "lienthong/federation/catalogue_publisher.hpp"
#include "lienthong/federation/replay_guard.hpp"
#include "lienthong/pipeline/stages.hpp"

namespace lienthong::exchange {

Result<const registry::PeerEntry*> identify_peer(const ExchangeContext& exchange,
                                                 const NodeParts& node,
                                                 const std::string& refusal) {
  if (!node.deps.catalogues)
    return make_error(ErrorCode::kClientNotFound,
                      "this hub exchanges with no peer hubs (federation.instance is not set)");
  if (!exchange.snapshot)
    return make_error(ErrorCode::kServerRegistryUnavailable,
                      "the registry has not been loaded yet");
  const std::string& fingerprint = exchange.request.peer.certificate_sha256;
  const registry::PeerEntry* peer =
      fingerprint.empty() ? nullptr : exchange.snapshot->peer_by_certificate(fingerprint);
  if (peer == nullptr)
    return make_error(ErrorCode::kClientUnauthenticated, refusal);
  return peer;
}

Result<AcceptedCrossing> accept_crossing(ExchangeContext& exchange, const NodeParts& node) {
  auto identified = identify_peer(exchange, node,
                                  "only an active peer hub, by its registered client "
                                  "certificate, may pass on exchanges here");
  if (!identified.has_value())
    return std::move(identified).error();
  const registry::PeerEntry* peer = identified.value();
  const federation::CataloguePublisher* hub = node.deps.catalogues.get();
  const net::HttpRequest& request = exchange.request;

  // Whatever we answer a known peer, our record's hash goes with it.
  exchange.receipt_for_peer = true;
  exchange.record.upstream_instance = peer->instance;
  const std::string_view token = request.header(federation::kAssertionHeader);
  if (token.empty())
    return make_error(ErrorCode::kClientUnauthenticated,
                      "a peer hub vouches for the caller in the " +
                          std::string(federation::kAssertionHeader) + " header");
  if (token.size() > federation::kMaxAssertionBytes)
    return make_error(ErrorCode::kClientUnauthenticated,
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
    return make_error(ErrorCode::kClientUnauthenticated, check.refusal);
  AcceptedCrossing accepted{peer, std::move(*check.claims)};
  const federation::AssertionClaims& claims = accepted.claims;
  exchange.record.consumer = claims.consumer;
  exchange.record.correlation_id = claims.message_id;
  // The message it vouched for (the request must name the same one): a
  // refusal from here on is recorded under it too.
  exchange.message_id = claims.message_id;
  // A peer's exchanges in flight here are bounded, whatever they are for:
  // those it passes through us (transit) hold no system's slot of ours.
  if (node.deps.peer_concurrency) {
    auto slot = node.deps.peer_concurrency->acquire(peer->id);
    if (!slot) {
      Error error = make_error(ErrorCode::kClientConcurrencyLimit,
                               "peer hub " + peer->instance +
                                   " already has the maximum number of exchanges in progress "
                                   "on this node (federation.max_concurrent_per_peer)");
      error.retry_after_seconds = 1;
      return error;
    }
    exchange.peer_slot.emplace(std::move(*slot));
  }

  switch (node.deps.assertion_replays->use(peer->instance + "/" + claims.token_id,
                                           claims.expires_at, request.received_at)) {
    case federation::ReplayGuard::Use::kFirst:
      break;
    case federation::ReplayGuard::Use::kReplay:
      return make_error(ErrorCode::kClientUnauthenticated,
                        "assertion refused: " + claims.token_id + " was used already (a replay)");
    case federation::ReplayGuard::Use::kFull:
      return make_error(ErrorCode::kServerInternal,
                        "too many assertions in their validity window; try again shortly");
  }
  return accepted;
}

Result<const registry::SystemEntry*> vouched_caller(ExchangeContext& exchange,
                                                    const NodeParts& node,
                                                    const PeerCrossing& crossing) {
  const registry::SystemEntry* caller = exchange.snapshot->system(crossing.claims.consumer);
  if (caller == nullptr) {
    return make_error(ErrorCode::kClientNoAgreement,
                      crossing.claims.consumer + " is not registered at this hub: a system of " +
                          crossing.peer.instance +
                          " needs its registration and an approved agreement here");
  }
  auto slot = pipeline::hold_slot(*node.deps.concurrency, *caller);
  if (!slot.has_value())
    return std::move(slot).error();
  exchange.slot.emplace(std::move(slot).value());
  return caller;
}

Result<const registry::SystemEntry*> caller_of(ExchangeContext& exchange, const NodeParts& node,
                                               const registry::SystemEntry* local_caller,
                                               const PeerCrossing* crossing) {
  if (local_caller != nullptr)
    return local_caller;
  if (crossing != nullptr)
    return vouched_caller(exchange, node, *crossing);
  return make_error(ErrorCode::kServerInternal, "an exchange without a caller");
}

}  // namespace lienthong::exchange

// The endpoints a peer hub passes exchanges to, one per protocol:
//   POST /federation/v1/messages   an envelope (the standard protocol)
//   ANY  /federation/v1/r1/...     an X-Road REST (r1) request
// The peer is known by its pinned client certificate and what it vouches for
// by its assertion (identify_peer.hpp); then the original caller, registered
// here as a system of the peer's instance, goes through the same pipeline as
// a local caller: our agreement for it, our schemas, our limits, our audit
// record. A service of a third instance is passed on (transit).
#include "identify_peer.hpp"

namespace lienthong::exchange {

Outcome peer_message(ExchangeContext& exchange, const NodeParts& node) {
  auto accepted = accept_crossing(exchange, node);
  if (!accepted.has_value())
    co_return std::move(accepted).error();
  if (!accepted.value().claims.operation.empty())
    co_return make_error(ErrorCode::kClientUnauthenticated,
                         "assertion refused: it vouches for an X-Road REST operation, not an "
                         "envelope");
  const PeerCrossing crossing{*accepted.value().peer, accepted.value().claims};
  co_return co_await envelope_exchange(exchange, node, nullptr, &crossing);
}

Outcome peer_rest_message(ExchangeContext& exchange, const NodeParts& node) {
  auto accepted = accept_crossing(exchange, node);
  if (!accepted.has_value())
    co_return std::move(accepted).error();
  const PeerCrossing crossing{*accepted.value().peer, accepted.value().claims};
  co_return co_await rest_exchange(exchange, node, nullptr, &crossing);
}

}  // namespace lienthong::exchange

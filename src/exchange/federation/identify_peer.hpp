#pragma once
// Who is calling a federation endpoint: an active peer hub, known by its
// registered client certificate (a peer is not a member system, and a
// member system's certificate is never a peer's), and, for an exchange it
// passes on, what it vouches for. Private to src/exchange/federation/.

#include "../exchange_context.hpp"

namespace lienthong::exchange {

// Client.NotFound when this hub takes part in no federation,
// Server.RegistryUnavailable before the registry is loaded,
// Client.Unauthenticated (with `refusal`) for any other certificate.
Result<const registry::PeerEntry*> identify_peer(const ExchangeContext& exchange,
                                                 const NodeParts& node, const std::string& refusal);

struct AcceptedCrossing {
  const registry::PeerEntry* peer = nullptr;
  federation::AssertionClaims claims;
};

// An exchange a peer hub passes on: the peer (identify_peer), and its
// assertion (the Lienthong-Assertion header) checked against the key
// registered for it, used once. From here on every answer carries our
// record's hash (the receipt), and the record names the peer, its assertion
// and the caller it vouched for; the exchange holds one of the peer's places
// in flight (federation.max_concurrent_per_peer) until it is audited.
// Client.Unauthenticated for a missing, forged, expired or replayed
// assertion; Client.ConcurrencyLimit (Retry-After) past the peer's places.
Result<AcceptedCrossing> accept_crossing(ExchangeContext& exchange, const NodeParts& node);

}  // namespace lienthong::exchange

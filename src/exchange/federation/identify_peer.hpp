#pragma once
// Who is calling a federation endpoint: an active peer hub, known by its
// registered client certificate (a peer is not a member system, and a
// member system's certificate is never a peer's). Private to src/exchange/federation/.

#include "../exchange_context.hpp"

namespace lienthong::exchange {

// Client.NotFound when this hub takes part in no federation,
// Server.RegistryUnavailable before the registry is loaded,
// Client.Unauthenticated (with `refusal`) for any other certificate.
Result<const registry::PeerEntry*> identify_peer(const ExchangeContext& exchange,
                                                 const NodeParts& node, const std::string& refusal);

}  // namespace lienthong::exchange

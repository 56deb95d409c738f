#pragma once
// The delivery workers' side of federation: what passes a queued message for
// another instance's service on to the peer hub it is reached through, with
// the same route, outbound rules, catalogue, assertion and receipt as a
// synchronous hop (docs/federation.md).

#include <memory>

#include "lienthong/delivery/peer_forwarder.hpp"
#include "lienthong/exchange/exchange_handler.hpp"

namespace lienthong::exchange {

// One delivery worker thread's forwarder. `deps` are the node's exchange
// dependencies (federation on); `peers` and `adapters` belong to that thread.
std::unique_ptr<delivery::PeerForwarder> make_peer_forwarder(
    ExchangeDependencies deps, std::unique_ptr<federation::PeerClients> peers,
    adapters::AdapterSet& adapters);

}  // namespace lienthong::exchange

#pragma once
// Where an exchange for another instance's service goes, and whether one of
// ours may be reached by a peer: the same rules for every protocol.
// Private to src/exchange/.

#include <chrono>
#include <string_view>

#include "../exchange_context.hpp"

namespace lienthong::exchange {

// The peer hub a request for `provider`/`service` at `version` (empty: the
// only version offered) goes to: the one whose valid catalogue offers it
// (that instance's own, or one that passes it on), else that instance's peer
// (the hop then says what its catalogue lacks). Null for our own instance
// (or with federation off). A request that came through a peer (`crossing`)
// goes on only to a service we pass on to that peer, and never back to it.
// Either way our outbound rules for that peer must let `consumer` (the
// original caller) reach the service: else Client.NoAgreement.
Result<const registry::PeerEntry*> peer_route(const registry::Snapshot& snapshot,
                                              const NodeParts& node, std::string_view consumer,
                                              std::string_view provider, std::string_view service,
                                              std::string_view version,
                                              const PeerCrossing* crossing,
                                              std::chrono::system_clock::time_point now);

// Whether our `service` is in the catalogue we publish to `peer`.
bool published_to(const registry::ServiceEntry& service, const registry::PeerEntry& peer);

}  // namespace lienthong::exchange

#pragma once
// One hop to a peer hub, whatever the protocol the caller speaks: only to a
// service the peer's valid catalogue lists, only while the peer's breaker
// admits calls, with our assertion for the caller, and only an answer that
// carries the peer's receipt (the hash of the audit record it committed)
// comes back. Private to src/exchange/.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "lienthong/federation/held_catalogues.hpp"

#include "../exchange_context.hpp"

namespace lienthong::exchange {

// `peer`'s catalogue held here when it is valid at `now` and lists
// `provider`/`service` at `version` (empty: the only version it lists);
// Provider.Unavailable (Retry-After: the pull interval) when none is valid,
// Client.UnknownService when it does not list the service.
Result<std::shared_ptr<const federation::HeldCatalogue>> peer_catalogue_listing(
    const NodeParts& node, const registry::PeerEntry& peer, std::string_view provider,
    std::string_view service, std::string_view version, std::chrono::system_clock::time_point now);

struct PeerHop {
  const registry::PeerEntry& peer;
  std::string service;       // PROVIDER/SERVICE/VERSION, as vouched for
  std::string message_id;    // the envelope's id, or X-Road-Id
  std::string operation;     // X-Road REST only: "METHOD /path?query"
  net::HttpRequest request;  // to the peer, without the assertion; its body is hashed in it
};

// Sends `hop.request` with our assertion for the caller (the record's
// consumer, purpose and user id; in transit, linked to `crossing`'s) and
// notes the hop in the record's downstream fields. The peer's answer,
// whatever its status, once it holds a receipt; Provider.Unavailable with
// Retry-After when the peer cannot be reached or calls to it are paused,
// Provider.BadResponse for an answer without a receipt.
// `hop` is a named local of the caller (GCC 12 destroys a temporary passed
// to a coroutine in a co_await expression twice); its request is moved out.
boost::asio::awaitable<Result<net::HttpResponse>> hop_to_peer(ExchangeContext& exchange,
                                                              const NodeParts& node, PeerHop& hop,
                                                              const PeerCrossing* crossing);

// A peer's Retry-After as hubs send it (RFC 9110 delay-seconds); anything
// else a peer writes there does not reach our caller.
bool is_delay_seconds(std::string_view value);

// The headers a relayed answer ends with: the peer's request id and receipt,
// and our own request id.
void add_hop_headers(std::vector<net::Header>& headers, const audit::AuditRecord& record);

}  // namespace lienthong::exchange

// An envelope for another instance's service: this hub has authenticated the
// caller (a system of ours, or, in transit, one a peer vouched for), and
// passes the envelope, as received, to the peer hub the service is reached
// through (peer_hop.hpp). The provider's hub decides with its own agreement;
// the answer (an envelope, or a refusal) is relayed as it comes, and audited
// here as what we answered.
#include <boost/algorithm/string/predicate.hpp>

#include "lienthong/schema/json_schema.hpp"

#include "../async/async_messages.hpp"
#include "../exchange_context.hpp"
#include "peer_hop.hpp"

namespace lienthong::exchange {

Result<std::shared_ptr<const federation::HeldCatalogue>> peer_listing(
    const NodeParts& node, const registry::PeerEntry& peer, const Envelope& envelope,
    std::chrono::system_clock::time_point now) {
  const EnvelopeHeader& header = envelope.header;
  auto catalogue =
      peer_catalogue_listing(node, peer, header.to, header.service, header.version, now);
  if (!catalogue.has_value())
    return catalogue;
  // Refused here rather than a hop away: the request schema the peer lists.
  if (const auto* schema =
          catalogue.value()->request_schema(header.to, header.service, header.version)) {
    const auto violations = schema->validate(envelope.payload);
    if (!violations.empty()) {
      Error error = make_error(ErrorCode::kClientSchemaViolation,
                               std::to_string(violations.size()) +
                                   " problem(s) with the body, against the request schema peer "
                                   "hub " +
                                   peer.instance + " publishes; see errors");
      for (const auto& violation : violations)
        error.fields.push_back({"/body" + violation.pointer, violation.reason});
      return error;
    }
  }
  return catalogue;
}

Outcome forward_envelope(ExchangeContext& exchange, const NodeParts& node, const Envelope& envelope,
                         const registry::PeerEntry& peer, const PeerCrossing* crossing) {
  const EnvelopeHeader& header = envelope.header;
  const net::HttpRequest& request = exchange.request;
  if (auto listing = peer_listing(node, peer, envelope, request.received_at); !listing.has_value())
    co_return std::move(listing).error();

  net::HttpRequest forwarded;
  forwarded.method = "POST";
  forwarded.target = peer.endpoint.base_path + "/federation/v1/messages";
  forwarded.headers = {{"Content-Type", "application/json"}};
  // A preference for an asynchronous answer is the provider hub's to honour
  // (from a peer's delivery worker, in transit).
  if (const auto prefer = request.header("Prefer"); prefers_async(prefer))
    forwarded.headers.push_back({"Prefer", "respond-async"});
  forwarded.body = request.body;
  exchange.record.correlation_id = header.id;
  PeerHop hop{peer, header.service_key(), header.id, {}, std::move(forwarded)};
  auto answer = co_await hop_to_peer(exchange, node, hop, crossing);
  if (!answer.has_value())
    co_return std::move(answer).error();
  net::HttpResponse relayed = std::move(answer).value();
  // Ours, not the peer's: the caller's request id is this hub's; the peer's
  // names its own audit record. A peer's Retry-After (its limits, its
  // breakers) is the caller's to heed.
  std::vector<net::Header> headers;
  for (auto& h : relayed.headers) {
    if (boost::iequals(h.name, "Content-Type") ||
        (boost::iequals(h.name, "Retry-After") && is_delay_seconds(h.value)))
      headers.push_back(std::move(h));
  }
  add_hop_headers(headers, exchange.record);
  headers.push_back({"X-Request-Id", exchange.record.request_id});
  relayed.headers = std::move(headers);
  co_return relayed;
}

}  // namespace lienthong::exchange

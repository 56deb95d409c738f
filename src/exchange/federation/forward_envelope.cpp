// An envelope for another instance's service: this hub has authenticated the
// caller (a system of ours, or, in transit, one a peer vouched for), and
// passes the envelope, as received, to the peer hub the service is reached
// through with an assertion that vouches for the caller. The provider's hub
// decides with its own agreement; the answer (an envelope, or a refusal) is
// relayed as it comes, and audited here as what we answered.
#include <algorithm>
#include <cctype>

#include <boost/algorithm/string/predicate.hpp>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/json_parse.hpp"
#include "lienthong/core/message_id.hpp"
#include "lienthong/federation/catalogue_publisher.hpp"
#include "lienthong/federation/held_catalogues.hpp"
#include "lienthong/federation/peer_clients.hpp"
#include "lienthong/schema/json_schema.hpp"

#include "../exchange_context.hpp"

namespace lienthong::exchange {
namespace {

// An assertion is used within seconds; a minute covers a slow forward.
constexpr std::chrono::seconds kAssertionLifetime{60};

// The code of a peer hub's refusal (RFC 9457 "code", e.g. Client.NoAgreement),
// for our audit record; empty when the answer is not one of ours.
std::string refusal_code(const net::HttpResponse& answer) {
  if (answer.status < 400 || answer.header("Content-Type") != "application/problem+json")
    return {};
  const auto reading = parse_json(answer.body, 4);
  if (!reading.document || !reading.document->is_object())
    return {};
  const auto code = reading.document->find("code");
  if (code == reading.document->end() || !code->is_string())
    return {};
  const auto& text = code->get_ref<const std::string&>();
  const bool plain = text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '.';
                     });
  return plain ? text : std::string();
}

// A peer's Retry-After as hubs send it (RFC 9110 delay-seconds); anything
// else a peer writes there does not reach our caller.
bool is_delay_seconds(std::string_view value) {
  return !value.empty() && value.size() <= 10 &&
         std::all_of(value.begin(), value.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

Outcome forward_envelope(ExchangeContext& exchange, const NodeParts& node, const Envelope& envelope,
                         const registry::PeerEntry& peer, const PeerCrossing* crossing) {
  const EnvelopeHeader& header = envelope.header;
  audit::AuditRecord& record = exchange.record;
  const net::HttpRequest& request = exchange.request;
  const federation::CataloguePublisher& hub = *node.deps.catalogues;
  if (node.peers == nullptr)
    co_return make_error(ErrorCode::kServerInternal, "this node cannot reach peer hubs");
  // Only what the peer published to us: its catalogue, while valid.
  const auto catalogue = node.deps.held_catalogues
                             ? node.deps.held_catalogues->valid(peer.id, request.received_at)
                             : nullptr;
  if (catalogue == nullptr) {
    co_return Error{ErrorCode::kProviderUnavailable,
                    "no valid catalogue of peer hub " + peer.instance +
                        " is held here (not pulled yet, or expired while the peer could not be "
                        "reached)",
                    {},
                    node.deps.pull_seconds};
  }
  if (catalogue->find(header.to, header.service, header.version) == nullptr) {
    co_return make_error(ErrorCode::kClientUnknownService,
                         "peer hub " + peer.instance + " publishes no service " +
                             header.service_key() + " to this hub (its catalogue, version " +
                             std::to_string(catalogue->version) + ")");
  }
  // Refused here rather than a hop away: the request schema the peer lists.
  if (const auto* schema = catalogue->request_schema(header.to, header.service, header.version)) {
    const auto violations = schema->validate(envelope.payload);
    if (!violations.empty()) {
      Error error = make_error(ErrorCode::kClientSchemaViolation,
                               std::to_string(violations.size()) +
                                   " problem(s) with the body, against the request schema peer "
                                   "hub " +
                                   peer.instance + " publishes; see errors");
      for (const auto& violation : violations)
        error.fields.push_back({"/body" + violation.pointer, violation.reason});
      co_return error;
    }
  }
  auto client = node.peers->client_for(peer);
  if (!client.has_value())
    co_return std::move(client).error();
  // A peer hub that cannot be reached is paused like a failing provider.
  adapters::CircuitBreakers& breakers = node.peers->breakers();
  const std::string breaker = "peer hub " + peer.instance;
  if (!breakers.admit(breaker)) {
    co_return Error{ErrorCode::kProviderUnavailable,
                    breaker + " could not be reached; calls to it are paused",
                    {},
                    breakers.seconds_until_probe(breaker)};
  }

  federation::AssertionClaims claims;
  claims.issuer = hub.instance();
  claims.audience = peer.instance;
  claims.token_id = record.request_id;
  claims.issued_at = std::chrono::time_point_cast<std::chrono::seconds>(request.received_at);
  claims.expires_at = claims.issued_at + kAssertionLifetime;
  claims.consumer = record.consumer;
  claims.service = header.service_key();
  claims.purpose = header.purpose;
  claims.user_id = header.user_id;
  claims.message_id = header.id;
  claims.body_sha256 = sha256_hex(request.body);
  claims.hops = {hub.instance()};
  if (crossing != nullptr) {
    // Transit: we vouch that the hub before us vouched, and link to its assertion.
    claims.hops = crossing->claims.hops;
    claims.hops.push_back(hub.instance());
    claims.previous_sha256 = sha256_hex(record.upstream_assertion);
  }

  record.downstream_instance = peer.instance;
  record.downstream_assertion = federation::sign_assertion(claims, hub.key());
  net::HttpRequest forwarded;
  forwarded.method = "POST";
  forwarded.target = peer.endpoint.base_path + "/federation/v1/messages";
  forwarded.headers = {{"Content-Type", "application/json"},
                       {std::string(federation::kAssertionHeader), record.downstream_assertion},
                       {"traceparent", exchange.trace.traceparent()}};
  forwarded.body = request.body;

  record.provider_called_at = std::chrono::system_clock::now();
  auto answer =
      co_await client.value()->send(peer.endpoint, std::move(forwarded), node.deps.forward_timeout);
  record.provider_answered_at = std::chrono::system_clock::now();
  record.correlation_id = header.id;
  // Only the peer's own failure counts: its answer, whatever the status,
  // says the peer is up (a 502 there is its provider's failure).
  breakers.record(breaker, answer.has_value());
  if (!answer.has_value()) {
    Error error = std::move(answer).error();
    error.detail = breaker + ": " + error.detail;
    // A peer that is down is a 503 with Retry-After: try again later.
    if (error.code == ErrorCode::kProviderUnreachable) {
      error.code = ErrorCode::kProviderUnavailable;
      error.retry_after_seconds = breakers.seconds_until_probe(breaker);
    }
    co_return error;
  }
  net::HttpResponse relayed = std::move(answer).value();
  // The peer's receipt: the hash of the record it committed before it
  // answered. Without one nothing proves the peer recorded the exchange, so
  // its answer is not passed on (fail closed on every hop).
  const std::string_view receipt = relayed.header(federation::kRecordHashHeader);
  if (!audit::is_chain_link(receipt)) {
    co_return make_error(ErrorCode::kProviderBadResponse,
                         "peer hub " + peer.instance + " answered " +
                             std::to_string(relayed.status) +
                             " without the receipt of its audit record (" +
                             std::string(federation::kRecordHashHeader) + ")");
  }
  record.downstream_record_hash = std::string(receipt);
  // The peer's request id, when it is one (the same form as a message id).
  if (const auto id = relayed.header("X-Request-Id"); is_valid_message_id(id))
    record.downstream_request_id = std::string(id);
  record.error_code = refusal_code(relayed);
  // Ours, not the peer's: the caller's request id is this hub's; the peer's
  // names its own audit record. A peer's Retry-After (its limits, its
  // breakers) is the caller's to heed.
  std::vector<net::Header> headers;
  for (auto& h : relayed.headers) {
    if (boost::iequals(h.name, "Content-Type") ||
        (boost::iequals(h.name, "Retry-After") && is_delay_seconds(h.value)))
      headers.push_back(std::move(h));
  }
  if (!record.downstream_request_id.empty())
    headers.push_back(
        {std::string(federation::kPeerRequestIdHeader), record.downstream_request_id});
  headers.push_back(
      {std::string(federation::kPeerRecordHashHeader), record.downstream_record_hash});
  headers.push_back({"X-Request-Id", record.request_id});
  relayed.headers = std::move(headers);
  relayed.close_connection = false;
  relayed.stream.reset();
  co_return relayed;
}

}  // namespace lienthong::exchange

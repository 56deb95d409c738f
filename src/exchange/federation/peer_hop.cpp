#include "peer_hop.hpp"

#include <algorithm>
#include <cctype>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/json_parse.hpp"
#include "lienthong/core/message_id.hpp"
#include "lienthong/federation/catalogue_publisher.hpp"
#include "lienthong/federation/peer_clients.hpp"
#include "lienthong/pipeline/stages.hpp"

namespace lienthong::exchange {
namespace {

// An assertion is used within seconds; a minute covers a slow forward.
constexpr std::chrono::seconds kAssertionLifetime{60};

bool is_plain_code(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.';
  });
}

// The code of a peer hub's refusal (Client.NoAgreement, ...) for our audit
// record: RFC 9457 "code", or X-Road-Error; empty when the answer is not one
// of a hub's refusals.
std::string refusal_code(const net::HttpResponse& answer) {
  if (answer.status < 400)
    return {};
  if (const auto xroad = answer.header("X-Road-Error"); !xroad.empty())
    return is_plain_code(xroad) ? std::string(xroad) : std::string();
  if (answer.header("Content-Type") != "application/problem+json")
    return {};
  const auto reading = parse_json(answer.body, 4);
  if (!reading.document || !reading.document->is_object())
    return {};
  const auto code = reading.document->find("code");
  if (code == reading.document->end() || !code->is_string())
    return {};
  const auto& text = code->get_ref<const std::string&>();
  return is_plain_code(text) ? text : std::string();
}

}  // namespace

bool is_delay_seconds(std::string_view value) {
  return !value.empty() && value.size() <= 10 &&
         std::all_of(value.begin(), value.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

Result<std::shared_ptr<const federation::HeldCatalogue>> peer_catalogue_listing(
    const NodeParts& node, const registry::PeerEntry& peer, std::string_view provider,
    std::string_view service, std::string_view version, std::chrono::system_clock::time_point now) {
  // Only what the peer published to us: its catalogue, while valid.
  auto catalogue =
      node.deps.held_catalogues ? node.deps.held_catalogues->valid(peer.id, now) : nullptr;
  if (catalogue == nullptr) {
    return Error{ErrorCode::kProviderUnavailable,
                 "no valid catalogue of peer hub " + peer.instance +
                     " is held here (not pulled yet, or expired while the peer could not be "
                     "reached)",
                 {},
                 node.deps.pull_seconds};
  }
  if (catalogue->find(provider, service, version) == nullptr) {
    const std::string key = std::string(provider) + "/" + std::string(service);
    return make_error(ErrorCode::kClientUnknownService,
                      "peer hub " + peer.instance + " publishes no service " + key +
                          (version.empty() ? " in one version only (name the version)"
                                           : "/" + std::string(version)) +
                          " to this hub (its catalogue, version " +
                          std::to_string(catalogue->version) + ")");
  }
  return catalogue;
}

boost::asio::awaitable<Result<net::HttpResponse>> hop_to_peer(ExchangeContext& exchange,
                                                              const NodeParts& node, PeerHop& hop,
                                                              const PeerCrossing* crossing) {
  audit::AuditRecord& record = exchange.record;
  const federation::CataloguePublisher& hub = *node.deps.catalogues;
  const registry::PeerEntry& peer = hop.peer;
  if (node.peers == nullptr)
    co_return make_error(ErrorCode::kServerInternal, "this node cannot reach peer hubs");
  // As before a provider call: nothing goes out that could not be recorded.
  if (auto auditable = pipeline::ensure_auditable(*node.deps.audit); !auditable.has_value())
    co_return std::move(auditable).error();
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
  claims.issued_at =
      std::chrono::time_point_cast<std::chrono::seconds>(exchange.request.received_at);
  claims.expires_at = claims.issued_at + kAssertionLifetime;
  claims.consumer = record.consumer;
  claims.service = std::move(hop.service);
  claims.purpose = record.purpose;
  claims.user_id = record.user_id;
  claims.message_id = std::move(hop.message_id);
  claims.operation = std::move(hop.operation);
  claims.body_sha256 = sha256_hex(hop.request.body);
  claims.hops = {hub.instance()};
  if (crossing != nullptr) {
    // Transit: we vouch that the hub before us vouched, and link to its assertion.
    claims.hops = crossing->claims.hops;
    claims.hops.push_back(hub.instance());
    claims.previous_sha256 = sha256_hex(record.upstream_assertion);
  }
  record.downstream_instance = peer.instance;
  record.downstream_assertion = federation::sign_assertion(claims, hub.key());
  hop.request.headers.push_back(
      {std::string(federation::kAssertionHeader), record.downstream_assertion});
  hop.request.headers.push_back({"traceparent", exchange.trace.traceparent()});

  record.provider_called_at = std::chrono::system_clock::now();
  auto answer = co_await client.value()->send(peer.endpoint, std::move(hop.request),
                                              node.deps.forward_timeout);
  record.provider_answered_at = std::chrono::system_clock::now();
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
  // The peer's receipt: without one nothing proves the peer recorded the
  // exchange, so its answer is not passed on (fail closed on every hop).
  const std::string_view receipt = relayed.header(federation::kRecordHashHeader);
  if (!audit::is_chain_link(receipt)) {
    co_return make_error(ErrorCode::kProviderBadResponse,
                         "peer hub " + peer.instance + " answered " +
                             std::to_string(relayed.status) +
                             " without the receipt of its audit record (" +
                             std::string(federation::kRecordHashHeader) + ")");
  }
  record.downstream_record_hash = std::string(receipt);
  // The peer's request id, when it is one (the same form as a message id):
  // X-Request-Id, or X-Road-Request-Id on an X-Road REST answer.
  for (const std::string_view name : {"X-Request-Id", "X-Road-Request-Id"}) {
    if (const auto id = relayed.header(name); is_valid_message_id(id)) {
      record.downstream_request_id = std::string(id);
      break;
    }
  }
  record.error_code = refusal_code(relayed);
  relayed.close_connection = false;
  relayed.stream.reset();
  co_return relayed;
}

void add_hop_headers(std::vector<net::Header>& headers, const audit::AuditRecord& record) {
  if (!record.downstream_request_id.empty())
    headers.push_back(
        {std::string(federation::kPeerRequestIdHeader), record.downstream_request_id});
  headers.push_back(
      {std::string(federation::kPeerRecordHashHeader), record.downstream_record_hash});
}

}  // namespace lienthong::exchange

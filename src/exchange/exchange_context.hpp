#pragma once
// Private to the exchange listener: what one request accumulates on its way
// through the pipeline, what every endpoint gets to answer it, and the
// endpoints the router (exchange_handler.cpp) sends requests to.

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/exchange/envelope.hpp"
#include "lienthong/exchange/exchange_handler.hpp"
#include "lienthong/federation/assertion_token.hpp"
#include "lienthong/federation/held_catalogues.hpp"
#include "lienthong/net/http_message.hpp"
#include "lienthong/observability/trace_context.hpp"
#include "lienthong/policy/concurrency_limiter.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::exchange {

// GET /exchange/v1/services/{service key}/openapi: a service's description.
inline constexpr std::string_view kServicesPrefix = "/exchange/v1/services/";
inline constexpr std::string_view kOpenApiSuffix = "/openapi";
// An X-Road REST request a peer hub passes on: this prefix, then /r1/...
inline constexpr std::string_view kPeerRestPrefix = "/federation/v1";

// How refusals are written: RFC 9457 problems, or X-Road's error form.
enum class ErrorStyle { kProblem, kXRoad };

// Everything one request accumulates on its way through the pipeline; it
// becomes the audit record at the end.
struct ExchangeContext {
  ExchangeContext(net::HttpRequest received, registry::SnapshotPtr current)
      : request(std::move(received)), snapshot(std::move(current)) {}

  net::HttpRequest request;
  registry::SnapshotPtr snapshot;
  audit::AuditRecord record;
  std::string message_id;
  // The W3C trace this request belongs to; the provider call carries it on.
  observability::TraceContext trace;
  ErrorStyle errors = ErrorStyle::kProblem;
  // What the audit record keeps of the bodies, once the service is known.
  registry::AuditBodies audit_bodies = registry::AuditBodies::kHash;
  // The caller's place among its requests in flight, held until the answer is audited.
  std::optional<policy::ConcurrencyLimiter::Slot> slot;
  // A peer hub's place among its exchanges in flight (transit included).
  std::optional<policy::ConcurrencyLimiter::Slot> peer_slot;
  // A peer hub is the caller: the answer carries our record's hash, its receipt.
  bool receipt_for_peer = false;
};

// The node's parts an endpoint works with: shared ones, and its I/O
// thread's adapters and peer hub clients (null when federation is off).
struct NodeParts {
  const ExchangeDependencies& deps;
  adapters::AdapterSet& adapters;
  federation::PeerClients* peers = nullptr;
};

// An exchange that came through a peer hub: that peer, and what it vouched
// for (checked against its key, docs/federation.md).
struct PeerCrossing {
  const registry::PeerEntry& peer;
  const federation::AssertionClaims& claims;
};

// An endpoint's outcome: the answer, or the error the router writes in the
// endpoint's error style. Either way the router audits it before it is sent.
using Outcome = boost::asio::awaitable<Result<net::HttpResponse>>;

// Who is calling, for every endpoint but the API description: the pipeline's
// identify stage, then a place among the caller's requests in flight.
Result<const registry::SystemEntry*> identify_caller(ExchangeContext& exchange,
                                                     const NodeParts& node);

// The caller `crossing`'s peer vouched for, registered here as a system of
// its instance, and its place among its requests in flight. Client.NoAgreement
// when it is not registered: the peer vouches for who is calling; what it may
// do is ours to decide.
Result<const registry::SystemEntry*> vouched_caller(ExchangeContext& exchange,
                                                    const NodeParts& node,
                                                    const PeerCrossing& crossing);
// Who calls one of our services: `local_caller`, or else the system
// `crossing`'s peer vouched for (vouched_caller).
Result<const registry::SystemEntry*> caller_of(ExchangeContext& exchange, const NodeParts& node,
                                               const registry::SystemEntry* local_caller,
                                               const PeerCrossing* crossing);

// A JSON answer carrying the hub's request id.
net::HttpResponse json_response(int status, std::string body, const std::string& request_id);

// The endpoints, by protocol folder.
Outcome envelope_message(ExchangeContext& exchange, const NodeParts& node);  // envelope/
// The envelope protocol once the caller is known: a system of this hub
// (`local_caller`), or one of another instance that `crossing`'s peer vouched
// for (looked up here when the service is ours; passed on when it is not).
Outcome envelope_exchange(ExchangeContext& exchange, const NodeParts& node,
                          const registry::SystemEntry* local_caller, const PeerCrossing* crossing);
Outcome rest_message(ExchangeContext& exchange, const NodeParts& node);  // xroad/
// X-Road REST once the caller is known, as envelope_exchange.
Outcome rest_exchange(ExchangeContext& exchange, const NodeParts& node,
                      const registry::SystemEntry* local_caller, const PeerCrossing* crossing);
Outcome message_status(ExchangeContext& exchange, const NodeParts& node);  // async/
Outcome catalog(ExchangeContext& exchange, const NodeParts& node);         // discovery/
Outcome service_description(ExchangeContext& exchange, const NodeParts& node);
Outcome exchange_openapi(ExchangeContext& exchange, const NodeParts& node);
Outcome peer_catalogue(ExchangeContext& exchange, const NodeParts& node);  // federation/
Outcome peer_message(ExchangeContext& exchange, const NodeParts& node);
Outcome peer_rest_message(ExchangeContext& exchange, const NodeParts& node);
Outcome peer_message_status(ExchangeContext& exchange, const NodeParts& node);
// `peer`'s valid catalogue held here, once it lists the envelope's service
// and its body (`envelope.payload`) meets the request schema listed there.
Result<std::shared_ptr<const federation::HeldCatalogue>> peer_listing(
    const NodeParts& node, const registry::PeerEntry& peer, const Envelope& envelope,
    std::chrono::system_clock::time_point now);
// An envelope for another instance's service, passed on to `peer` with our
// assertion for the caller (our system, or, in transit, the one `crossing`'s
// peer vouched for), once its body (`envelope.payload`) meets the request
// schema the peer's catalogue lists; the answer is relayed as it comes.
Outcome forward_envelope(ExchangeContext& exchange, const NodeParts& node, const Envelope& envelope,
                         const registry::PeerEntry& peer, const PeerCrossing* crossing);
// An X-Road REST request for another instance's service, and where it goes.
struct RestHop {
  const registry::PeerEntry& peer;
  std::string_view r1_target;  // /r1/PROVIDER/SERVICE[/path][?query], as the caller sent it
  std::string version;         // as named (X-Lienthong-Service-Version), or empty
  std::string operation;       // "METHOD /path?query" after the service code
};
// Passed on to `hop.peer` with the caller's own headers and our assertion;
// the answer is relayed with our X-Road headers, as a provider's would be.
Outcome forward_rest(ExchangeContext& exchange, const NodeParts& node, const RestHop& hop,
                     const PeerCrossing* crossing);

}  // namespace lienthong::exchange

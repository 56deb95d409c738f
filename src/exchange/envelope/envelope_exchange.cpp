// The standard envelope protocol: POST /exchange/v1/messages carries
// {"header": {...}, "body": ...} (schemas/json/envelope.schema.json), and the
// answer comes back in an envelope addressed to the caller.
#include <nlohmann/json.hpp>

#include "lienthong/adapters/standard_request.hpp"
#include "lienthong/core/json_text.hpp"
#include "lienthong/core/message_id.hpp"
#include "lienthong/core/timestamp.hpp"
#include "lienthong/exchange/envelope.hpp"
#include "lienthong/pipeline/stages.hpp"
#include "lienthong/policy/rate_limiter.hpp"

#include "../async/async_messages.hpp"
#include "../exchange_context.hpp"
#include "../federation/peer_route.hpp"

namespace lienthong::exchange {
namespace {

// The provider's checked and shaped answer in a response envelope addressed
// back to the caller.
std::string response_envelope(const EnvelopeHeader& request, const registry::ServiceEntry& service,
                              int status, nlohmann::json body) {
  const nlohmann::json response{{"header",
                                 {{"id", new_uuid_v7()},
                                  {"correlationId", request.id},
                                  {"from", service.provider->key},
                                  {"to", request.from},
                                  {"service", request.service},
                                  {"version", request.version},
                                  {"status", status},
                                  {"timestamp", to_rfc3339(std::chrono::system_clock::now())}}},
                                {"body", std::move(body)}};
  return to_json_text(response);
}

// The envelope says what the peer vouched for: no other message, service,
// purpose or user can ride on its assertion.
Result<bool> matches_assertion(const EnvelopeHeader& header, const PeerCrossing& crossing) {
  const auto& claims = crossing.claims;
  if (header.id != claims.message_id || header.service_key() != claims.service ||
      header.purpose != claims.purpose || header.user_id != claims.user_id) {
    return make_error(ErrorCode::kClientUnauthenticated,
                      "the envelope's header (id, to/service/version, purpose, userId) is not "
                      "what " +
                          crossing.peer.instance + " vouched for in its assertion");
  }
  return true;
}

}  // namespace

Outcome envelope_message(ExchangeContext& exchange, const NodeParts& node) {
  auto caller = identify_caller(exchange, node);
  if (!caller.has_value())
    co_return std::move(caller).error();
  co_return co_await envelope_exchange(exchange, node, caller.value(), nullptr);
}

Outcome envelope_exchange(ExchangeContext& exchange, const NodeParts& node,
                          const registry::SystemEntry* local_caller, const PeerCrossing* crossing) {
  const net::HttpRequest& request = exchange.request;
  audit::AuditRecord& record = exchange.record;
  const registry::Snapshot& snapshot = *exchange.snapshot;

  // Read the envelope: JSON, bounded depth, valid against envelope.schema.json.
  if (!net::is_utf8_json_media_type(request.header("Content-Type"))) {
    co_return make_error(ErrorCode::kClientUnsupportedMediaType,
                         "send the envelope as Content-Type: application/json, in UTF-8");
  }
  auto parsed = node.deps.envelopes->parse(request.body, exchange.message_id);
  if (!parsed.has_value())
    co_return std::move(parsed).error();
  const Envelope& envelope = parsed.value();
  const EnvelopeHeader& header = envelope.header;
  record.provider = header.to;
  record.service = header.service;
  record.service_version = header.version;
  record.user_id = header.user_id;
  record.purpose = header.purpose;

  // A system may only send as itself.
  if (header.from != record.consumer) {
    co_return make_error(
        ErrorCode::kClientSenderMismatch,
        "header.from is " + header.from + " but the caller is authenticated as " + record.consumer);
  }
  if (crossing != nullptr) {
    if (auto vouched = matches_assertion(header, *crossing); !vouched.has_value())
      co_return std::move(vouched).error();
  }
  // Another instance's service: passed on to the next hub (from a peer: transit).
  auto route = peer_route(snapshot, node, record.consumer, header.to, header.service,
                          header.version, crossing, request.received_at);
  if (!route.has_value())
    co_return std::move(route).error();
  if (route.value() != nullptr) {
    // Asked for asynchronously, of a service the peer takes so: queued here,
    // and passed on by a delivery worker (from a peer: passed on now).
    if (crossing == nullptr && prefers_async(request.header("Prefer"))) {
      auto listing = peer_listing(node, *route.value(), envelope, request.received_at);
      if (!listing.has_value())
        co_return std::move(listing).error();
      if (listing.value()->takes_async(header.to, header.service, header.version)) {
        if (auto auditable = pipeline::ensure_auditable(*node.deps.audit); !auditable.has_value())
          co_return std::move(auditable).error();
        record.correlation_id = header.id;
        co_return co_await queue_message(exchange, node, *local_caller, 0, header.service_key(),
                                         envelope);
      }
    }
    co_return co_await forward_envelope(exchange, node, envelope, *route.value(), crossing);
  }

  // Ours. A caller a peer vouched for must be registered here, with an
  // agreement of its own: the peer vouches for who is calling, we decide
  // what it may do.
  auto identified = caller_of(exchange, node, local_caller, crossing);
  if (!identified.has_value())
    co_return std::move(identified).error();
  const registry::SystemEntry* caller = identified.value();

  auto service = pipeline::resolve_service(snapshot, header.service_key());
  if (!service.has_value())
    co_return std::move(service).error();
  exchange.audit_bodies = service.value()->audit_bodies;
  if (crossing != nullptr && !published_to(*service.value(), crossing->peer)) {
    co_return make_error(
        ErrorCode::kClientUnknownService,
        "no service " + header.service_key() + " is published to " + crossing->peer.instance);
  }

  auto authorization = pipeline::authorize(snapshot,
                                           {.caller = caller,
                                            .service = service.value(),
                                            .version = header.version,
                                            .purpose = header.purpose,
                                            .purpose_field = "header.purpose",
                                            .may_use_agreement_purpose = false,
                                            .operation = std::nullopt,
                                            .body_bytes = request.body.size(),
                                            .parsed_body = &envelope.payload,
                                            .json_text = {},
                                            .body_pointer = "/body",
                                            .at = request.received_at},
                                           node.deps.max_json_depth);
  if (!authorization.has_value())
    co_return std::move(authorization).error();
  const registry::AgreementEntry& agreement = *authorization.value().agreement;
  if (auto admitted = co_await node.deps.limits->admit(agreement, request.received_at);
      !admitted.has_value())
    co_return std::move(admitted).error();

  // Asynchronous: queued (202) for a delivery worker to call the provider. A
  // preference the provider has not allowed (allow_async) is ignored, as
  // RFC 7240 lets a server do: the call is then synchronous.
  // From a peer hub too: queued here once (the same sender and id is the
  // same message however often the peer's worker passes it on).
  if (service.value()->adapter == registry::AdapterKind::kAsync ||
      (service.value()->allow_async && prefers_async(request.header("Prefer")))) {
    if (auto auditable = pipeline::ensure_auditable(*node.deps.audit); !auditable.has_value())
      co_return std::move(auditable).error();
    co_return co_await queue_message(exchange, node, *caller, service.value()->provider_system_id,
                                     service.value()->key, envelope);
  }

  auto call = adapters::standard_request(
      *service.value(),
      {header.id, record.request_id, record.consumer, header.user_id, header.purpose},
      envelope.body);
  auto reply =
      co_await pipeline::call_provider(node.adapters, *node.deps.audit, *service.value(),
                                       std::move(call), exchange.trace.traceparent(), record);
  if (!reply.has_value())
    co_return std::move(reply).error();
  const int status = reply.value().status;
  auto body = pipeline::check_answer(reply.value(), node.deps.max_json_depth);
  if (!body.has_value())
    co_return std::move(body).error();
  auto shaped =
      pipeline::shape_answer(status, *service.value(), agreement, std::move(body).value());
  if (!shaped.has_value())
    co_return std::move(shaped).error();

  record.correlation_id = header.id;
  co_return json_response(
      status, response_envelope(header, *service.value(), status, std::move(shaped).value()),
      record.request_id);
}

}  // namespace lienthong::exchange

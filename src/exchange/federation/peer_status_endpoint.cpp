// GET /federation/v1/messages/{id}: a peer hub asks, for the sender it
// vouches for, how a message it passed on here goes (its assertion names
// the message and this read; peer_status.hpp is the asking side). A message
// passed through here to a third hub is asked of that hub in turn.
#include "lienthong/core/identifiers.hpp"
#include "lienthong/core/json_text.hpp"
#include "lienthong/delivery/delivery_queue.hpp"

#include "../async/async_messages.hpp"
#include "identify_peer.hpp"
#include "peer_status.hpp"

namespace lienthong::exchange {

Outcome peer_message_status(ExchangeContext& exchange, const NodeParts& node) {
  auto accepted = accept_crossing(exchange, node);
  if (!accepted.has_value())
    co_return std::move(accepted).error();
  const federation::AssertionClaims& claims = accepted.value().claims;
  auto id = message_id_in(exchange.request.path(), kPeerMessagePrefix);
  if (!id.has_value())
    co_return std::move(id).error();
  exchange.message_id = id.value();
  // The read as the peer named it, whatever prefix a proxy in front of us
  // may have taken off the path.
  if (claims.message_id != id.value() ||
      claims.operation != "GET " + std::string(kPeerMessagePrefix) + id.value()) {
    co_return make_error(ErrorCode::kClientUnauthenticated,
                         "assertion refused: it does not vouch for reading this message");
  }
  const PeerCrossing crossing{*accepted.value().peer, claims};
  if (const auto service = ServiceId::parse(claims.service)) {
    exchange.record.provider = service->provider.to_string();
    exchange.record.service = service->service_code;
    exchange.record.service_version = service->version;
  }
  // A third instance's service: we passed the message on in transit, on
  // the spot (its provider's hub queued it), and hold nothing of it; the
  // read goes on, vouched for as the message was.
  if (is_remote_service(node, claims.service)) {
    const MessageAtNextHub message{claims.consumer, claims.service, id.value()};
    nlohmann::json document{
        {"messageId", id.value()}, {"service", claims.service}, {"passedOn", true}};
    document["nextHub"] = co_await next_hub_status(exchange, node, message, &crossing);
    co_return json_response(200, to_json_text(document), exchange.record.request_id);
  }
  auto sender = vouched_caller(exchange, node, crossing);
  if (!sender.has_value())
    co_return std::move(sender).error();
  if (!node.deps.deliveries)
    co_return make_error(ErrorCode::kClientNotFound, "this hub node queues no messages");
  std::string message_id = id.value();  // named: see GCC 12 note in delivery_queue.cpp
  auto status = co_await node.deps.deliveries->status(sender.value()->id, std::move(message_id));
  if (!status.has_value())
    co_return std::move(status).error();
  // The message, of the service vouched for; any other is not this one.
  if (status.value().service != claims.service)
    co_return make_error(ErrorCode::kClientNotFound,
                         "no message " + id.value() + " of " + claims.service);
  co_return json_response(200, to_json_text(message_status_document(status.value())),
                          exchange.record.request_id);
}

}  // namespace lienthong::exchange

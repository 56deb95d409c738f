#include "peer_status.hpp"

#include "lienthong/core/identifiers.hpp"
#include "lienthong/core/json_parse.hpp"
#include "lienthong/federation/catalogue_publisher.hpp"

#include "peer_hop.hpp"
#include "peer_route.hpp"

namespace lienthong::exchange {
namespace {

nlohmann::json error_document(const std::string& instance, const Error& error) {
  nlohmann::json document{{"error", {{"code", error.code_name()}, {"detail", error.detail}}}};
  if (!instance.empty())
    document["instance"] = instance;
  return document;
}

}  // namespace

bool is_remote_service(const NodeParts& node, std::string_view service) {
  const auto id = ServiceId::parse(service);
  return node.deps.catalogues && id && id->provider.instance != node.deps.catalogues->instance();
}

boost::asio::awaitable<nlohmann::json> next_hub_status(ExchangeContext& exchange,
                                                       const NodeParts& node,
                                                       const MessageAtNextHub& message,
                                                       const PeerCrossing* crossing) {
  const auto service = ServiceId::parse(message.service);
  if (!service || !exchange.snapshot)
    co_return error_document({}, make_error(ErrorCode::kServerInternal, "no route to ask"));
  // The same route the message took, as far as the registry and catalogues
  // tell now (the peer that queued it is the one its catalogue sends to).
  auto route =
      peer_route(*exchange.snapshot, node, message.consumer, service->provider.to_string(),
                 service->service_code, service->version, crossing, exchange.request.received_at);
  if (!route.has_value() || route.value() == nullptr) {
    co_return error_document(
        {}, route.has_value() ? make_error(ErrorCode::kClientUnknownService, "no peer hub route")
                              : route.error());
  }
  const registry::PeerEntry& peer = *route.value();
  net::HttpRequest request;
  request.method = "GET";
  request.target = peer.endpoint.base_path + std::string(kPeerMessagePrefix) + message.message_id;
  const std::string operation = "GET " + std::string(kPeerMessagePrefix) + message.message_id;
  PeerHop hop{peer, message.service, message.message_id, operation, std::move(request)};
  auto answer = co_await hop_to_peer(exchange, node, hop, crossing);
  if (!answer.has_value())
    co_return error_document(peer.instance, answer.error());
  // Our answer to the sender is its own message's status, whatever the
  // peer said: the peer's refusal is noted in the document, not as ours.
  const std::string refusal = std::move(exchange.record.error_code);
  exchange.record.error_code.clear();
  const net::HttpResponse& response = answer.value();
  const auto reading = parse_json(response.body, node.deps.max_json_depth);
  if (response.status != 200 || !reading.document || !reading.document->is_object()) {
    co_return nlohmann::json{
        {"instance", peer.instance},
        {"error",
         {{"code", refusal.empty() ? "Provider.BadResponse" : refusal},
          {"detail", "the peer hub answered " + std::to_string(response.status)}}}};
  }
  co_return nlohmann::json{{"instance", peer.instance}, {"status", *reading.document}};
}

}  // namespace lienthong::exchange

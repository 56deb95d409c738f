// A delivery worker's hop: the queued message, in an envelope addressed as
// its sender addressed it, goes to the peer hub with Prefer: respond-async.
// The peer queues it once (its sender and id make it the same message on
// every attempt), so each hop delivers it exactly once.
#include <nlohmann/json.hpp>

#include "lienthong/core/identifiers.hpp"
#include "lienthong/core/json_text.hpp"
#include "lienthong/core/timestamp.hpp"
#include "lienthong/exchange/peer_delivery.hpp"
#include "lienthong/federation/peer_clients.hpp"
#include "lienthong/registry/snapshot_store.hpp"

#include "../exchange_context.hpp"
#include "peer_hop.hpp"
#include "peer_route.hpp"

namespace lienthong::exchange {
namespace {

class EnvelopeForwarder final : public delivery::PeerForwarder {
 public:
  EnvelopeForwarder(ExchangeDependencies deps, std::unique_ptr<federation::PeerClients> peers,
                    adapters::AdapterSet& adapters)
      : deps_(std::move(deps)), peers_(std::move(peers)), adapters_(adapters) {}

  boost::asio::awaitable<Result<net::HttpResponse>> forward(
      const delivery::OutboundMessage& message, audit::AuditRecord& record) override {
    const auto service = ServiceId::parse(message.service);
    if (!service)
      co_return make_error(ErrorCode::kServerInternal, "a queued message names no service");
    nlohmann::json header{{"id", message.message_id},
                          {"from", message.consumer},
                          {"to", service->provider.to_string()},
                          {"service", service->service_code},
                          {"version", service->version},
                          {"timestamp", to_rfc3339(std::chrono::system_clock::now())}};
    if (!message.purpose.empty())
      header["purpose"] = message.purpose;
    if (!message.user_id.empty())
      header["userId"] = message.user_id;
    auto body = nlohmann::json::parse(message.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded())
      co_return make_error(ErrorCode::kServerInternal, "a queued message's body is not JSON");

    net::HttpRequest request;
    request.method = "POST";
    request.received_at = std::chrono::system_clock::now();
    request.body = to_json_text(nlohmann::json{{"header", header}, {"body", std::move(body)}});
    ExchangeContext exchange(std::move(request), deps_.snapshots->current());
    if (!exchange.snapshot)
      co_return make_error(ErrorCode::kServerRegistryUnavailable, "the registry is not loaded yet");
    exchange.record.request_id = record.request_id;
    // Its own trace: the sender's request was answered (202) long ago.
    exchange.trace = observability::TraceContext::continue_from("");
    exchange.record.consumer = message.consumer;
    exchange.record.purpose = message.purpose;
    exchange.record.user_id = message.user_id;
    const NodeParts node{deps_, adapters_, peers_.get()};

    // Where it goes now: the route, our outbound rules and the peer's
    // catalogue may have changed since the message was queued.
    const std::string provider = service->provider.to_string();
    auto route =
        peer_route(*exchange.snapshot, node, message.consumer, provider, service->service_code,
                   service->version, nullptr, exchange.request.received_at);
    if (!route.has_value())
      co_return std::move(route).error();
    if (route.value() == nullptr)
      co_return make_error(ErrorCode::kClientUnknownService,
                           message.service + " is not reached through a peer hub");
    const registry::PeerEntry& peer = *route.value();
    auto listing = peer_catalogue_listing(node, peer, provider, service->service_code,
                                          service->version, exchange.request.received_at);
    if (!listing.has_value())
      co_return std::move(listing).error();

    net::HttpRequest forwarded;
    forwarded.method = "POST";
    forwarded.target = peer.endpoint.base_path + "/federation/v1/messages";
    forwarded.headers = {{"Content-Type", "application/json"}, {"Prefer", "respond-async"}};
    forwarded.body = exchange.request.body;
    PeerHop hop{peer, message.service, message.message_id, {}, std::move(forwarded)};
    auto answer = co_await hop_to_peer(exchange, node, hop, nullptr);
    const audit::AuditRecord& hopped = exchange.record;
    record.downstream_instance = hopped.downstream_instance;
    record.downstream_assertion = hopped.downstream_assertion;
    record.downstream_request_id = hopped.downstream_request_id;
    record.downstream_record_hash = hopped.downstream_record_hash;
    record.provider_called_at = hopped.provider_called_at;
    record.provider_answered_at = hopped.provider_answered_at;
    co_return answer;
  }

 private:
  ExchangeDependencies deps_;
  std::unique_ptr<federation::PeerClients> peers_;
  adapters::AdapterSet& adapters_;
};

}  // namespace

std::unique_ptr<delivery::PeerForwarder> make_peer_forwarder(
    ExchangeDependencies deps, std::unique_ptr<federation::PeerClients> peers,
    adapters::AdapterSet& adapters) {
  return std::make_unique<EnvelopeForwarder>(std::move(deps), std::move(peers), adapters);
}

}  // namespace lienthong::exchange

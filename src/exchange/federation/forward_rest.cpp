// An X-Road REST (r1) request for another instance's service: this hub has
// authenticated the caller (a system of ours, or, in transit, one a peer
// vouched for) and passes the request on to the peer hub the service is
// reached through (peer_hop.hpp), at /federation/v1/r1/..., with the
// caller's own headers and the ones the next hub needs to check our
// assertion. The answer comes back as an X-Road client expects a provider's:
// its headers, and ours (X-Road-Id, X-Road-Request-Id, X-Road-Request-Hash).
#include <boost/beast/core/string.hpp>

#include "lienthong/net/header_text.hpp"

#include "../exchange_context.hpp"
#include "../xroad/xroad_rest.hpp"
#include "peer_hop.hpp"

namespace lienthong::exchange {
namespace {

bool is_xroad_header(std::string_view name) {
  return name.size() >= 7 && boost::beast::iequals(name.substr(0, 7), "x-road-");
}

// The caller's headers that cross (as to a provider), then the ones the next
// hub reads: who calls, which message, which version, for whom and why.
std::vector<net::Header> forwarded_headers(const ExchangeContext& exchange,
                                           const std::string& version) {
  const audit::AuditRecord& record = exchange.record;
  std::vector<net::Header> headers;
  for (const auto& header : exchange.request.headers) {
    if (!xroad::is_filtered_header(header.name) &&
        !boost::beast::iequals(header.name, "X-Road-Id") &&
        !boost::beast::iequals(header.name, "X-Road-Client") &&
        !boost::beast::iequals(header.name, "X-Road-UserId"))
      headers.push_back(header);
  }
  headers.push_back({"X-Road-Client", record.consumer});
  headers.push_back({"X-Road-Id", exchange.message_id});
  headers.push_back({"X-Lienthong-Service-Version", version});
  if (!record.user_id.empty())
    headers.push_back({"X-Road-UserId", record.user_id});
  if (!record.purpose.empty())
    headers.push_back({"X-Lienthong-Purpose", net::encode_header_text(record.purpose)});
  return headers;
}

}  // namespace

Outcome forward_rest(ExchangeContext& exchange, const NodeParts& node, const RestHop& hop,
                     const PeerCrossing* crossing) {
  audit::AuditRecord& record = exchange.record;
  const net::HttpRequest& request = exchange.request;
  auto catalogue = peer_catalogue_listing(node, hop.peer, record.provider, record.service,
                                          hop.version, request.received_at);
  if (!catalogue.has_value())
    co_return std::move(catalogue).error();
  // The version the peer's catalogue lists (the only one, when none was named).
  const auto* entry = catalogue.value()->find(record.provider, record.service, hop.version);
  record.service_version = entry->at("version").get<std::string>();

  net::HttpRequest forwarded;
  forwarded.method = request.method;
  forwarded.target =
      hop.peer.endpoint.base_path + std::string(kPeerRestPrefix) + std::string(hop.r1_target);
  forwarded.headers = forwarded_headers(exchange, record.service_version);
  forwarded.body = request.body;
  record.correlation_id = exchange.message_id;
  PeerHop peer_hop{hop.peer, record.provider + "/" + record.service + "/" + record.service_version,
                   exchange.message_id, hop.operation, std::move(forwarded)};
  auto answer = co_await hop_to_peer(exchange, node, peer_hop, crossing);
  if (!answer.has_value())
    co_return std::move(answer).error();

  // The provider's headers as the peer passed them; an X-Road refusal keeps
  // its type; the X-Road headers are ours.
  net::HttpResponse relayed = std::move(answer).value();
  std::vector<net::Header> headers;
  for (auto& header : relayed.headers) {
    const bool error_type = boost::beast::iequals(header.name, "X-Road-Error");
    const bool retry_after = boost::beast::iequals(header.name, "Retry-After");
    if (error_type || (retry_after && is_delay_seconds(header.value)) ||
        (!retry_after && !xroad::is_filtered_header(header.name) && !is_xroad_header(header.name)))
      headers.push_back(std::move(header));
  }
  headers.push_back({"X-Road-Id", exchange.message_id});
  headers.push_back({"X-Road-Client", record.consumer});
  headers.push_back({"X-Road-Service", record.provider + "/" + record.service});
  headers.push_back({"X-Road-Request-Id", record.request_id});
  headers.push_back({"X-Road-Request-Hash", xroad::request_hash(request)});
  add_hop_headers(headers, record);
  relayed.headers = std::move(headers);
  co_return relayed;
}

}  // namespace lienthong::exchange

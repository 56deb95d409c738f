#pragma once
// How a message this hub passed on to a peer hub goes there: the sender
// reads it at its own hub, which asks the next hub (an assertion for the
// sender, a receipt back, a record on both). Private to src/exchange/.

#include <nlohmann/json.hpp>

#include "lienthong/delivery/delivery.hpp"

#include "../exchange_context.hpp"

namespace lienthong::exchange {

// Whether `service` (PROVIDER/SERVICE/VERSION) is another instance's.
bool is_remote_service(const NodeParts& node, std::string_view service);

// The message the sender `consumer` sent to `service` as `message_id`,
// asked of the next hub on the route: {"instance": the next hub, "status":
// its status document of the message} or, when it cannot be read now,
// {"instance"?, "error": {"code", "detail"}}. `crossing`: in transit, the
// read a peer vouched for, passed on with our assertion linked to its.
struct MessageAtNextHub {
  std::string consumer;
  std::string service;  // PROVIDER/SERVICE/VERSION
  std::string message_id;
};
boost::asio::awaitable<nlohmann::json> next_hub_status(ExchangeContext& exchange,
                                                       const NodeParts& node,
                                                       const MessageAtNextHub& message,
                                                       const PeerCrossing* crossing);

// GET /federation/v1/messages/{id}: what a peer hub's sender reads through
// it: the message the vouched-for sender queued here through that peer.
inline constexpr std::string_view kPeerMessagePrefix = "/federation/v1/messages/";

}  // namespace lienthong::exchange

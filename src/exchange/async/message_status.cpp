// GET /exchange/v1/messages/{id}: a sender reads how its asynchronous
// message goes, and once delivered what the provider answered; for one
// passed on to a peer hub, also how it goes there (federation/peer_status).
#include <regex>

#include <nlohmann/json.hpp>

#include "lienthong/core/json_text.hpp"
#include "lienthong/core/timestamp.hpp"
#include "lienthong/delivery/delivery_queue.hpp"

#include "../federation/peer_status.hpp"
#include "async_messages.hpp"

namespace lienthong::exchange {

namespace {

constexpr std::string_view kMessagePrefix = "/exchange/v1/messages/";

}  // namespace

nlohmann::json message_status_document(const delivery::DeliveryStatus& status) {
  nlohmann::json document{{"messageId", status.message_id},
                          {"service", status.service},
                          {"state", delivery::to_string(status.state)},
                          {"attempts", status.attempts},
                          {"submittedAt", to_rfc3339(status.created_at)}};
  if (status.next_attempt_at)
    document["nextAttemptAt"] = to_rfc3339(*status.next_attempt_at);
  if (status.delivered_at)
    document["deliveredAt"] = to_rfc3339(*status.delivered_at);
  if (!status.last_error_code.empty())
    document["lastError"] = {{"code", status.last_error_code}, {"detail", status.last_error}};
  if (status.response_status) {
    auto body = nlohmann::json::parse(status.response_body, nullptr, /*allow_exceptions=*/false);
    document["response"] = {{"status", *status.response_status},
                            {"body", body.is_discarded() ? nlohmann::json() : std::move(body)}};
  }
  return document;
}

Result<std::string> message_id_in(std::string_view path, std::string_view prefix) {
  const auto id = path.substr(prefix.size());
  static const std::regex kMessageId(R"([A-Za-z0-9._:-]{1,128})");
  if (!std::regex_match(id.begin(), id.end(), kMessageId))
    return make_error(ErrorCode::kClientNotFound, "not a message id");
  return std::string(id);
}

Outcome message_status(ExchangeContext& exchange, const NodeParts& node) {
  auto caller = identify_caller(exchange, node);
  if (!caller.has_value())
    co_return std::move(caller).error();
  auto id = message_id_in(exchange.request.path(), kMessagePrefix);
  if (!id.has_value())
    co_return std::move(id).error();
  exchange.message_id = id.value();
  if (!node.deps.deliveries)
    co_return make_error(ErrorCode::kClientNotFound, "this hub node queues no messages");
  // Only the sender's own messages: another system's id is simply not found.
  std::string message_id = id.value();  // named: see GCC 12 note in delivery_queue.cpp
  auto status = co_await node.deps.deliveries->status(caller.value()->id, std::move(message_id));
  if (!status.has_value())
    co_return std::move(status).error();
  auto document = message_status_document(status.value());
  // Passed on to a peer hub and queued there: how it goes there.
  if (status.value().state == delivery::DeliveryState::kDelivered &&
      status.value().response_status == 202 && is_remote_service(node, status.value().service)) {
    // Named: a temporary in a co_await expression trips GCC 12.
    const MessageAtNextHub message{status.value().consumer, status.value().service,
                                   status.value().message_id};
    document["nextHub"] = co_await next_hub_status(exchange, node, message, nullptr);
  }
  co_return json_response(200, to_json_text(document), exchange.record.request_id);
}

}  // namespace lienthong::exchange

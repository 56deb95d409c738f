// Asynchronous exchanges: a message the sender asked to be delivered later
// (Prefer: respond-async, RFC 7240) or sent to a service registered as
// async is queued after every check a synchronous call gets, and answered
// 202 once it is committed; GET /exchange/v1/messages/{id} tells its sender
// how it went and, once delivered, what the provider answered.
#include "async_messages.hpp"

#include <regex>

#include <nlohmann/json.hpp>

#include "lienthong/core/json_text.hpp"
#include "lienthong/core/timestamp.hpp"
#include "lienthong/delivery/delivery_queue.hpp"
#include "lienthong/exchange/envelope.hpp"

namespace lienthong::exchange {

namespace {

constexpr std::string_view kMessagePrefix = "/exchange/v1/messages/";

nlohmann::json status_document(const delivery::DeliveryStatus& status) {
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

}  // namespace

bool prefers_async(std::string_view prefer) {
  // Preferences are comma-separated tokens with optional parameters.
  static const std::regex kRespondAsync(R"((^|,)\s*respond-async\s*(;|,|$))", std::regex::icase);
  return std::regex_search(prefer.begin(), prefer.end(), kRespondAsync);
}

Outcome queue_message(ExchangeContext& exchange, const NodeParts& node,
                      const registry::SystemEntry& caller, std::int64_t provider_system_id,
                      const std::string& service_key, const Envelope& envelope) {
  if (!node.deps.deliveries) {
    co_return make_error(ErrorCode::kServerQueueUnavailable,
                         "this hub node has no delivery queue for asynchronous messages");
  }
  delivery::QueuedMessage message{envelope.header.id,
                                  caller.id,
                                  caller.key,
                                  provider_system_id,
                                  service_key,
                                  exchange.record.request_id,
                                  envelope.header.user_id,
                                  envelope.header.purpose,
                                  envelope.body};
  auto queued = co_await node.deps.deliveries->enqueue(std::move(message));
  if (!queued.has_value())
    co_return std::move(queued).error();
  const std::string location = std::string(kMessagePrefix) + envelope.header.id;
  auto document = status_document(queued.value());
  document["location"] = location;
  auto response = json_response(202, document.dump(), exchange.record.request_id);
  response.headers.push_back({"Location", location});
  response.headers.push_back({"Preference-Applied", "respond-async"});
  co_return response;
}

Outcome message_status(ExchangeContext& exchange, const NodeParts& node) {
  auto caller = identify_caller(exchange, node);
  if (!caller.has_value())
    co_return std::move(caller).error();
  const auto id = exchange.request.path().substr(kMessagePrefix.size());
  static const std::regex kMessageId(R"([A-Za-z0-9._:-]{1,128})");
  if (!std::regex_match(id.begin(), id.end(), kMessageId))
    co_return make_error(ErrorCode::kClientNotFound, "not a message id");
  exchange.message_id = std::string(id);
  if (!node.deps.deliveries)
    co_return make_error(ErrorCode::kClientNotFound, "this hub node queues no messages");
  // Only the sender's own messages: another system's id is simply not found.
  std::string message_id(id);  // named: see GCC 12 note in delivery_queue.cpp
  auto status = co_await node.deps.deliveries->status(caller.value()->id, std::move(message_id));
  if (!status.has_value())
    co_return std::move(status).error();
  co_return json_response(200, to_json_text(status_document(status.value())),
                          exchange.record.request_id);
}

}  // namespace lienthong::exchange

// Asynchronous exchanges: a message the sender asked to be delivered later
// (Prefer: respond-async, RFC 7240) or sent to a service registered as
// async is queued after every check a synchronous call gets, and answered
// 202 once it is committed (message_status.cpp: how it goes from there).
#include "async_messages.hpp"

#include <regex>

#include <nlohmann/json.hpp>

#include "lienthong/core/json_text.hpp"
#include "lienthong/delivery/delivery_queue.hpp"
#include "lienthong/exchange/envelope.hpp"

namespace lienthong::exchange {

namespace {

constexpr std::string_view kMessagePrefix = "/exchange/v1/messages/";

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
  auto document = message_status_document(queued.value());
  document["location"] = location;
  auto response = json_response(202, document.dump(), exchange.record.request_id);
  response.headers.push_back({"Location", location});
  response.headers.push_back({"Preference-Applied", "respond-async"});
  co_return response;
}

}  // namespace lienthong::exchange

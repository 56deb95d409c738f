#pragma once
// Asynchronous exchanges, private to the exchange listener: the envelope
// endpoint queues a message here once every check has passed.

#include <string_view>

#include <nlohmann/json.hpp>

#include "lienthong/delivery/delivery.hpp"

#include "../exchange_context.hpp"

namespace lienthong::exchange {

struct Envelope;

// Whether a Prefer header (RFC 7240) asks for respond-async.
bool prefers_async(std::string_view prefer);

// Queues the checked message for a delivery worker and answers 202 with
// where its sender can follow it. `provider_system_id` 0: another
// instance's service (`service_key`), passed on to a peer hub.
Outcome queue_message(ExchangeContext& exchange, const NodeParts& node,
                      const registry::SystemEntry& caller, std::int64_t provider_system_id,
                      const std::string& service_key, const Envelope& envelope);

// The status document a sender reads (GET /exchange/v1/messages/{id}).
nlohmann::json message_status_document(const delivery::DeliveryStatus& status);
// The message id at the end of `path`, after `prefix`; Client.NotFound when it is not one.
Result<std::string> message_id_in(std::string_view path, std::string_view prefix);

}  // namespace lienthong::exchange

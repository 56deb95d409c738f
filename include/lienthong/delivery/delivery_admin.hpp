#pragma once
// The delivery queue as administrators see it (/admin/v1/deliveries): list
// messages, above all the dead ones, and requeue them once the cause is
// fixed. Runs in the admin API's transaction.

#include <cstdint>
#include <optional>
#include <vector>

#include "lienthong/core/result.hpp"
#include "lienthong/delivery/delivery.hpp"

namespace pqxx {
class transaction_base;
}

namespace lienthong::delivery {

// Up to `limit` messages with ids above `after`, oldest first, optionally in
// one state; with `member_id`, only messages one of the member's systems
// sent or was sent.
std::vector<DeliveryStatus> list_messages(pqxx::transaction_base& tx,
                                          std::optional<DeliveryState> state,
                                          std::optional<std::int64_t> member_id,
                                          std::optional<std::int64_t> after, int limit);
// Client.NotFound when absent or not the member's.
Result<DeliveryStatus> get_message(pqxx::transaction_base& tx, std::int64_t id,
                                   std::optional<std::int64_t> member_id);
// A dead or failed message back to queued, its attempts reset (it is
// delivered again with the registry as it is now); Client.Conflict otherwise.
Result<DeliveryStatus> requeue_message(pqxx::transaction_base& tx, std::int64_t id,
                                       std::optional<std::int64_t> member_id);

}  // namespace lienthong::delivery

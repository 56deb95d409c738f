#pragma once
// Durable store-and-forward delivery: what a queued message is and what its
// sender may learn of it. A message accepted with 202 is committed to the
// `deliveries` table (schemas/sql/0006_delivery_queue.sql) before the answer
// leaves the hub; DeliveryWorker (on every node) delivers it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lienthong/core/config.hpp"

namespace lienthong::delivery {

using TimePoint = std::chrono::system_clock::time_point;

// queued: never tried; delivering: claimed by a node (under a lease);
// delivered: the provider answered (its answer is kept for the sender);
// failed: the last attempt failed, another is scheduled; dead: given up,
// waiting for an administrator to requeue it.
enum class DeliveryState { kQueued, kDelivering, kDelivered, kFailed, kDead };
std::string_view to_string(DeliveryState state);
std::optional<DeliveryState> parse_state(std::string_view text);

// What the exchange pipeline queues, after every check a synchronous call
// gets (caller, agreement, purpose, request schema, limits).
struct QueuedMessage {
  std::string message_id;
  std::int64_t consumer_system_id = 0;
  std::string consumer;
  std::int64_t provider_system_id = 0;  // 0: another instance's service (via a peer hub)
  std::string service;                  // PROVIDER/SERVICE/VERSION
  std::string request_id;
  std::string user_id;
  std::string purpose;
  std::string body;  // the standard JSON body
};

// What the sender (GET /exchange/v1/messages/{id}) and admins see.
struct DeliveryStatus {
  std::int64_t id = 0;
  std::string message_id;
  std::string consumer;
  std::string service;
  DeliveryState state = DeliveryState::kQueued;
  int attempts = 0;
  int max_attempts = 0;
  TimePoint created_at{};
  std::optional<TimePoint> next_attempt_at;  // while queued or failed
  std::optional<TimePoint> delivered_at;
  std::string last_error_code;
  std::string last_error;
  std::optional<int> response_status;  // when delivered
  std::string response_body;           // when delivered: the answer, shaped as a sync call's
};

struct DeliveryOptions {
  std::string database_url;
  std::string node;
  int workers = 1;  // delivery threads per node
  int batch = 256;  // deliveries in flight per thread (claimed when half are free)
  std::chrono::milliseconds backoff_initial{1'000};
  std::chrono::milliseconds backoff_max{300'000};
  std::chrono::milliseconds lease{120'000};  // longer than any service timeout
  std::chrono::milliseconds poll{1'000};     // idle wait when no notification arrives

  // The [async] settings, database.url and node.name.
  static DeliveryOptions from(const Config& config);
};

}  // namespace lienthong::delivery

#pragma once
// The SQL of the delivery queue, shared by the exchange path (enqueue,
// status), the workers (claim, complete) and the admin API (list, requeue).
// Blocking: callers run it off the I/O threads.

#include <vector>

#include <pqxx/pqxx>

#include "lienthong/core/result.hpp"
#include "lienthong/delivery/delivery.hpp"

namespace lienthong::delivery::store {

// Inserts the message, or finds the one the sender already queued under
// this id: the same message (same service and body) is the same delivery;
// a different one is Client.Conflict.
Result<DeliveryStatus> enqueue(pqxx::transaction_base& tx, const QueuedMessage& message,
                               int max_attempts);

// The same for many messages in one statement, for a caller that commits
// them together (group commit): result i is what enqueue() answers for
// messages[i]. A sender's id used twice in one batch is judged as a
// resubmission of its first message.
std::vector<Result<DeliveryStatus>> enqueue_many(pqxx::transaction_base& tx,
                                                 const std::vector<const QueuedMessage*>& messages,
                                                 int max_attempts);

// The sender's message; Client.NotFound when this sender queued none with that id.
Result<DeliveryStatus> find(pqxx::transaction_base& tx, std::int64_t consumer_system_id,
                            const std::string& message_id);

// A message claimed for delivery, with what the provider call needs.
struct Claimed {
  std::int64_t id = 0;
  std::string message_id;
  std::string consumer;
  std::string service;
  std::string request_id;
  std::string user_id;
  std::string purpose;
  std::string body;
  int attempts = 0;  // including this one
  int max_attempts = 0;
  bool to_peer = false;  // another instance's service: passed on to a peer hub
};

// Up to `limit` due messages (or ones whose lease ran out), now leased to `node`.
std::vector<Claimed> claim(pqxx::transaction_base& tx, const std::string& node, int limit,
                           std::chrono::milliseconds lease);

// How an attempt ended.
struct Outcome {
  DeliveryState state = DeliveryState::kDelivered;  // delivered, failed or dead
  std::optional<TimePoint> next_attempt_at;         // when failed
  std::string error_code;
  std::string error;
  std::optional<int> response_status;
  std::string response_body;
};

// A message's id and how its attempt ended.
struct Completion {
  std::int64_t id = 0;
  Outcome outcome;
};

// Records the outcomes in one statement, except those whose lease passed to
// another node meanwhile (that node's attempt is the one that counts): their
// ids are returned.
std::vector<std::int64_t> complete(pqxx::transaction_base& tx, const std::string& node,
                                   const std::vector<Completion>& ended);

}  // namespace lienthong::delivery::store

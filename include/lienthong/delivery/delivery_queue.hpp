#pragma once
// The exchange path's side of the delivery queue: queue a message (committed
// before the 202 leaves the hub) and read a sender's message. The SQL runs
// on the queue's own threads (a committer for messages, a pool for reads),
// never on an I/O thread; the awaiting request resumes on its own thread.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "lienthong/core/result.hpp"
#include "lienthong/delivery/delivery.hpp"
#include "lienthong/observability/exposition.hpp"

namespace lienthong::delivery {

class DeliveryQueue {
 public:
  // `threads` threads for status reads and one committer for enqueue();
  // connections to PostgreSQL are opened on first use.
  DeliveryQueue(std::string database_url, int max_attempts, int threads = 2);
  ~DeliveryQueue();  // waits for queries in progress
  DeliveryQueue(const DeliveryQueue&) = delete;
  DeliveryQueue& operator=(const DeliveryQueue&) = delete;

  // The queued message, new or (same sender, same id, same message) the one
  // queued before. Client.Conflict for a different message under a used id;
  // Server.QueueUnavailable when PostgreSQL cannot take it. Messages are
  // group-committed: one transaction holds every message that arrived while
  // the previous one was being written, and each caller resumes (on its own
  // executor) once its message's transaction committed.
  boost::asio::awaitable<Result<DeliveryStatus>> enqueue(QueuedMessage message);
  // Transactions written for enqueue() so far (each holds one or more messages).
  std::uint64_t batches() const;
  // Client.NotFound unless `consumer_system_id` queued `message_id`.
  boost::asio::awaitable<Result<DeliveryStatus>> status(std::int64_t consumer_system_id,
                                                        std::string message_id);
  // Messages not yet delivered, by state (queued, delivering, failed, dead),
  // for the metrics. Synchronous, on the caller's thread; throws when the
  // database cannot be reached.
  std::vector<std::pair<std::string, std::int64_t>> depth_by_state();
  // How long the longest-waiting due message (queued, or failed and due for
  // its retry) has been due: 0 while the workers keep up. Synchronous; throws
  // when the database cannot be reached.
  double due_lag_seconds();
  // lienthong_async_queue_depth, _due_lag_seconds and
  // _submission_commit_duration_seconds in Prometheus text form; the error, and
  // nothing written, when the database cannot be reached.
  Status write_metrics(observability::Exposition& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::delivery

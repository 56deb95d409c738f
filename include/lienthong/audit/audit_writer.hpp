#pragma once
// The node's single audit writer: a dedicated thread takes records from a
// bounded queue and commits them to PostgreSQL in batches (one
// transaction per batch: group commit). Each waiting request resumes on its
// own I/O thread when its batch is durable.
//
// The writer extends the node's hash chain (audit_chain.hpp): it numbers and
// links each record before writing it, and every `checkpoint_records`
// records or `checkpoint_interval` (and when it stops) signs the chain's
// head into audit_checkpoints. Only one process may write a node's chain:
// the writer holds a PostgreSQL advisory lock on the node name, and a second
// writer with the same name fails closed instead of forking the chain.
//
// The first batch of a new month is preceded by a checkpoint of the last
// month's head, so each month's stretch of the chain is sealed on its own
// and can be archived and verified offline (audit_archive.hpp).

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "lienthong/audit/audit_sink.hpp"
#include "lienthong/audit/body_keys.hpp"
#include "lienthong/audit/timestamp_health.hpp"
#include "lienthong/core/config.hpp"
#include "lienthong/observability/histogram.hpp"

namespace spdlog {
class logger;
}

namespace lienthong::audit {

struct WriterOptions {
  // The [audit] and [database] settings of the hub's configuration.
  static WriterOptions from(const Config& config);

  std::string database_url;
  std::string node;              // the chain's name: config node.name
  std::string signing_key_path;  // Ed25519 PEM; created when missing
  std::size_t queue_capacity = 65'536;
  std::size_t batch_max = 512;
  std::int64_t checkpoint_records = 1'000;
  std::chrono::milliseconds checkpoint_interval{10'000};
  // How long an exchange waits for its record to commit before it is
  // answered 503 Server.AuditUnavailable (and recorded as such). Also the
  // age of the oldest uncommitted record past which healthy() is false.
  std::chrono::milliseconds commit_timeout{5'000};
  // Monthly partitions are kept ready this many months ahead of the clock.
  int partitions_ahead = 2;
  // When set, every checkpoint this node signs is also appended to its file
  // in this directory (audit_witness.hpp), after it commits. A checkpoint
  // that cannot be published is retried; when one has waited longer than
  // witness_grace, healthy() turns false and the node stops taking traffic.
  std::string witness_dir;
  std::chrono::seconds witness_grace{14'400};
  // When set (trusted timestamps are configured), how this node's
  // checkpoints get their tokens: failing past its period, the node stops
  // taking exchanges as for the witness.
  std::shared_ptr<const TimestampHealth> timestamps;
  // When set, kept bodies are sealed under their member's monthly data key
  // before they are written (body_keys.hpp); when null, kept in the clear.
  std::shared_ptr<const KeyWrapper> body_wrapper;
  // Stamps each batch's committed_at, which picks its monthly partition.
  // Tests set it to write into past months.
  std::function<TimePoint()> clock = [] { return std::chrono::system_clock::now(); };
  // Told how long writing and committing each batch took, committed or not
  // (the commit-latency metric; failures are counted by failed_batches()).
  std::function<void(std::chrono::nanoseconds took)> on_batch;
  // Runs right after each COMMIT returned. Tests throw pqxx::in_doubt_error
  // here to stand for an acknowledgement lost after the server committed,
  // which no fault injection on loopback produces reliably.
  std::function<void()> after_commit;
};

class AuditWriter final : public AuditSink {
 public:
  AuditWriter(WriterOptions options, std::shared_ptr<spdlog::logger> logger);
  ~AuditWriter() override;  // commits what is queued, then stops the thread
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Server.AuditUnavailable at once when the queue is full or the writer is
  // stopping; otherwise after the batch holding the record committed or
  // failed, or after commit_timeout. A record whose caller was answered 503
  // is stored as that 503; if it had already committed as the original
  // answer (the wait ran out mid-commit, or the COMMIT's outcome was in
  // doubt), a follow-up record with the same request_id records the 503.
  // Await it on an executor that runs one thread at a time (an I/O thread's
  // own io_context, as every caller does): its wait and its completion share
  // a timer.
  boost::asio::awaitable<Result<RecordReceipt>> commit(AuditRecord record) override;
  // Exchanges are refused while the log cannot be written, while
  // checkpoints cannot reach the witness past its grace, and while trusted
  // timestamps have failed past their period.
  bool accepting() const override { return healthy() && witness_current() && timestamps_current(); }
  std::string refusal() const override;

  // Records committed since start; batches that failed; checkpoints signed.
  std::uint64_t committed() const;
  std::uint64_t failed_batches() const;
  std::uint64_t checkpoints() const;
  // Records waiting for the next batch.
  std::size_t queue_depth() const;
  // False after a batch failed, until one commits again or the writer has
  // reconnected (it tries every half second while idle), and while the
  // oldest uncommitted record is older than commit_timeout.
  bool healthy() const;
  // False while a checkpoint has waited longer than witness_grace to reach
  // the witness (always true without one).
  bool witness_current() const;
  // False while trusted timestamps have failed for longer than their
  // failure period (always true without them).
  bool timestamps_current() const;
  // Attempts to publish checkpoints to the witness that failed.
  std::uint64_t witness_failures() const;

  // The writer's metrics (lienthong_audit_*) in Prometheus text form (writer_metrics.cpp).
  void write_metrics(observability::Exposition& out) const;

 private:
  struct Impl;
  // How long writing and committing each batch took, committed or not.
  observability::Histogram commit_seconds_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::audit

#pragma once
// Private to audit/: the audit writer's state, shared by its two halves:
// the queue side (audit_writer.cpp: requests enqueue and wait, the thread
// takes batches and settles them) and the database side
// (writer_database.cpp: the connection and its chain lock, writing a batch,
// sealing the chain).

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "lienthong/audit/audit_witness.hpp"
#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/audit/signing_key.hpp"

#include "chain_head.hpp"
#include "pending_record.hpp"

namespace lienthong::audit {

// A seq per linked chain, in kLinkedChains order.
using LinkedSeqs = std::array<std::int64_t, kLinkedChains.size()>;

// The advisory lock that orders audit commits across nodes ("LTAUDIT" in ASCII).
inline constexpr std::int64_t kCommitOrderLock = 0x4c5441554449;
// How often a writer whose last batch failed checks whether the database is back.
inline constexpr std::chrono::milliseconds kReconnectInterval{500};
// How long a new writer waits for the chain lock of a writer that just stopped.
inline constexpr std::chrono::milliseconds kPredecessorGrace{3'000};

struct AuditWriter::Impl {
  WriterOptions options;
  observability::Histogram* commit_seconds = nullptr;  // the writer's own
  std::shared_ptr<spdlog::logger> logger;
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<Pending> queue;
  bool stopping = false;
  std::unique_ptr<pqxx::connection> connection;
  std::unique_ptr<BodySealer> body_sealer;  // when options.body_wrapper is set
  std::optional<SigningKey> key;
  ChainHead head;                                           // valid while `connection` is open
  std::optional<std::chrono::year_month> partitions_ready;  // the month they were made for
  // The last checkpoint of each linked chain (kLinkedChains), as last seen.
  LinkedSeqs linked_sealed_seq{};
  std::chrono::steady_clock::time_point sealed_at = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> committed{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> checkpoints{0};
  // False from a failed batch until a batch commits or the writer reconnects.
  std::atomic<bool> writable{true};
  // When the oldest record not yet committed was queued (steady clock, in
  // nanoseconds since its epoch; 0 when nothing waits). Readiness fails when
  // it is older than the commit timeout: a stuck database must not keep
  // receiving traffic.
  std::atomic<std::int64_t> oldest_waiting_since{0};
  // A batch whose COMMIT was sent but not confirmed: on reconnect, if it did
  // commit, its callers (answered 503) get follow-up records.
  std::vector<AuditRecord> in_doubt;
  std::int64_t in_doubt_last_seq = 0;
  // The witness (options.witness_dir): checkpoints committed since the last
  // publication wait for the next one; when one failed, since when (steady
  // nanos; 0 when none waits after a failure).
  std::optional<WitnessLog> witness;
  bool unpublished = false;
  bool rewind_reported = false;
  std::atomic<std::int64_t> unwitnessed_since{0};
  std::atomic<std::uint64_t> witness_failures{0};
  std::thread thread;

  // The queue side (audit_writer.cpp).
  void enqueue(AuditRecord&& record, Waiter&& done);
  void run();
  static std::int64_t steady_nanos();
  // A record whose request already gave up is written as the 503 it was answered.
  void take(std::vector<Pending>& batch);
  // Tells each waiting request how its batch ended. A request that gave up
  // while its batch was being written was answered 503, yet its record
  // committed: a follow-up record says so.
  void settle(std::vector<Pending>& batch, boost::system::error_code ec);
  void queue_follow_ups(std::vector<AuditRecord> records);

  // The database side (writer_database.cpp).
  void try_reconnect();
  // Opens the connection, takes the node's writer lock, registers the
  // signing key and reads where the chain stands. Re-read after every
  // failure, since a commit whose outcome is unknown may have gone through.
  void connect();
  // Makes sure the partitions of `month` and the months after it exist. A
  // failure is only logged: the default partition takes the records meanwhile.
  void prepare_partitions(std::chrono::year_month month);
  // Signs this node's head, and each linked chain's (the admin changes, the
  // audited reads) when it moved. Returns the seqs sealed (0 for a chain
  // not sealed), applied after the commit.
  LinkedSeqs insert_checkpoint(pqxx::transaction_base& tx, const ChainHead& at);
  // One batch, one transaction. The usual batch travels in a single round
  // trip: BEGIN, the commit-order lock, one INSERT of every row and COMMIT in
  // one query string, which PostgreSQL runs in order and stops at the first
  // error. Under load the writer's round trips, each waiting for the
  // server's process to be scheduled, were most of a batch's time (COPY took
  // five: BEGIN, lock, COPY, its data, COMMIT). A batch that also signs a
  // checkpoint reads the admin-change chain inside the transaction first.
  boost::system::error_code write(std::vector<Pending>& batch);
  // Sends the query that ends with COMMIT. An error answer means nothing of
  // it committed; a connection lost before the answer leaves the outcome in
  // doubt, settled when the writer reconnects (connect()).
  void commit_batch(pqxx::nontransaction& tx, const std::string& sql,
                    const std::vector<Pending>& batch, std::int64_t last_seq);
  void remember_in_doubt(const std::vector<Pending>& batch, std::int64_t last_seq);
  // A checkpoint on its own, when records were written since the last one
  // (or admin changes were made: they are sealed even without traffic).
  void seal_quietly();

  // The witness (writer_witness.cpp): appends the checkpoints this node
  // signed that its witness file does not hold yet, found in the database,
  // so what a crash or an outage left out is caught up. Never throws.
  void publish_to_witness();
  bool witness_lagging() const;
};

}  // namespace lienthong::audit

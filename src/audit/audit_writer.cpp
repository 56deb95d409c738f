#include "lienthong/audit/audit_writer.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/timestamp.hpp"

#include "chain_head.hpp"
#include "pending_record.hpp"
#include "record_rows.hpp"
#include "record_values.hpp"

namespace lienthong::audit {
namespace asio = boost::asio;

namespace {

// The advisory lock that orders audit commits across nodes ("LTAUDIT" in ASCII).
constexpr std::int64_t kCommitOrderLock = 0x4c5441554449;
// How often a writer whose last batch failed checks whether the database is back.
constexpr std::chrono::milliseconds kReconnectInterval{500};
// How long a new writer waits for the chain lock of a writer that just stopped.
constexpr std::chrono::milliseconds kPredecessorGrace{3'000};

}  // namespace

struct AuditWriter::Impl {
  WriterOptions options;
  observability::Histogram* commit_seconds = nullptr;  // the writer's own
  std::shared_ptr<spdlog::logger> logger;
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<Pending> queue;
  bool stopping = false;
  std::unique_ptr<pqxx::connection> connection;
  std::optional<SigningKey> key;
  ChainHead head;                                           // valid while `connection` is open
  std::optional<std::chrono::year_month> partitions_ready;  // the month they were made for
  std::int64_t admin_sealed_seq = 0;  // the admin-change chain's last checkpoint, as last seen
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
  std::thread thread;

  void enqueue(AuditRecord&& record, Waiter&& done) {
    make_storable(record);
    {
      std::lock_guard lock(mutex);
      if (!stopping && queue.size() < options.queue_capacity) {
        if (queue.empty() && oldest_waiting_since.load() == 0)
          oldest_waiting_since.store(steady_nanos());
        queue.push_back(Pending{std::move(record), std::move(done)});
        wake.notify_one();
        return;
      }
    }
    complete(std::move(done), make_error_code(boost::system::errc::resource_unavailable_try_again));
  }

  void run() {
    std::vector<Pending> batch;
    batch.reserve(options.batch_max);
    for (;;) {
      {
        std::unique_lock lock(mutex);
        // After a failure, look for the database again soon rather than wait
        // for a record: a node that is not ready gets no traffic to retry with.
        const auto wait = writable.load() ? options.checkpoint_interval
                                          : std::min<std::chrono::milliseconds>(
                                                options.checkpoint_interval, kReconnectInterval);
        wake.wait_for(lock, wait, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) {
          lock.unlock();
          if (stopping) {
            seal_quietly();  // the last records get their checkpoint
            return;
          }
          if (!writable.load())
            try_reconnect();
          if (std::chrono::steady_clock::now() - sealed_at >= options.checkpoint_interval)
            seal_quietly();
          continue;
        }
        while (!queue.empty() && batch.size() < options.batch_max) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      take(batch);
      const auto started = std::chrono::steady_clock::now();
      const auto ec = write(batch);
      writable.store(!ec);
      const auto took = std::chrono::steady_clock::now() - started;
      commit_seconds->observe(std::chrono::duration<double>(took).count());
      if (options.on_batch)
        options.on_batch(took);
      settle(batch, ec);
      {
        std::lock_guard lock(mutex);
        oldest_waiting_since.store(queue.empty() ? 0 : steady_nanos());
      }
      batch.clear();
    }
  }

  static std::int64_t steady_nanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // A record whose request already gave up is written as the 503 it was answered.
  void take(std::vector<Pending>& batch) {
    for (auto& pending : batch) {
      if (!pending.done.claim)
        continue;
      if (!move_claim(*pending.done.claim, Claim::kWaiting, Claim::kTaken))
        pending.record = as_unavailable(std::move(pending.record), options.clock());
    }
  }

  // Tells each waiting request how its batch ended. A request that gave up
  // while its batch was being written was answered 503, yet its record
  // committed: a follow-up record says so.
  void settle(std::vector<Pending>& batch, boost::system::error_code ec) {
    std::vector<AuditRecord> follow_ups;
    for (auto& pending : batch) {
      if (pending.done.claim &&
          !move_claim(*pending.done.claim, Claim::kTaken,
                      ec ? Claim::kFailed : Claim::kCommitted) &&
          !ec && pending.done.claim->load() == Claim::kAbandonedAfterTaken) {
        follow_ups.push_back(as_unavailable(pending.record, options.clock()));
      }
    }
    complete_all(batch, ec);
    queue_follow_ups(std::move(follow_ups));
  }

  void queue_follow_ups(std::vector<AuditRecord> records) {
    if (records.empty())
      return;
    logger->warn(
        "audit: {} exchange(s) answered 503 although their records committed; "
        "follow-up records state the answer",
        records.size());
    std::lock_guard lock(mutex);
    for (auto& record : records)
      queue.push_front(Pending{std::move(record), Waiter{}});
    wake.notify_one();
  }

  void try_reconnect() {
    try {
      connect();
      writable.store(true);
      logger->info("audit writer: database reachable again");
    } catch (const std::exception& e) {
      logger->debug("audit writer: database still unreachable: {}", e.what());
    }
  }

  // Opens the connection, takes the node's writer lock, registers the
  // signing key and reads where the chain stands. Re-read after every
  // failure, since a commit whose outcome is unknown may have gone through.
  void connect() {
    if (connection && connection->is_open()) {
      // Read what the server sent while we were idle: if it ended the
      // session, the connection shows closed now, and we open a new one
      // instead of failing the next batch on it.
      try {
        connection->get_notifs();
      } catch (const pqxx::broken_connection&) {
        connection.reset();
      }
      if (connection && connection->is_open())
        return;
    }
    connection.reset();
    auto fresh = std::make_unique<pqxx::connection>(options.database_url);
    pqxx::nontransaction tx(*fresh);
    // A predecessor that just stopped (a restart, a writer replaced) holds
    // the lock until its server process has ended, a moment after it
    // disconnected: wait that moment out before calling it a second writer.
    const auto give_up = std::chrono::steady_clock::now() + kPredecessorGrace;
    while (!tx.exec_params1("SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                            "lienthong-audit-chain:" + options.node)[0]
                .as<bool>()) {
      if (std::chrono::steady_clock::now() >= give_up) {
        throw std::runtime_error("another process is writing the audit chain of node '" +
                                 options.node + "'; node.name must be unique per process");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // The key signs this node's chain and the admin-change chain's head.
    for (const std::string_view chain : {std::string_view(options.node), kAdminChain}) {
      tx.exec_params(
          "INSERT INTO audit_signing_keys (key_id, node, public_key) VALUES ($1, $2, $3) "
          "ON CONFLICT (node, key_id) DO NOTHING",
          key->key_id(), std::string(chain), key->public_key_pem());
    }
    head = load_chain_head(tx, options.node);
    if (!in_doubt.empty()) {
      // The unconfirmed COMMIT went through if the chain reaches its last record.
      if (head.seq >= in_doubt_last_seq) {
        for (auto& record : in_doubt)
          record = as_unavailable(std::move(record), options.clock());
        queue_follow_ups(std::move(in_doubt));
      }
      in_doubt.clear();
    }
    admin_sealed_seq = last_sealed_seq(tx, kAdminChain);
    connection = std::move(fresh);
  }

  // Makes sure the partitions of `month` and the months after it exist. A
  // failure is only logged: the default partition takes the records meanwhile.
  void prepare_partitions(std::chrono::year_month month) {
    if (partitions_ready == month)
      return;
    try {
      pqxx::work tx(*connection);
      tx.exec_params("SELECT lt_audit_ensure_partitions($1, $2)", to_rfc3339(month_start(month)),
                     options.partitions_ahead);
      tx.commit();
      partitions_ready = month;
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const std::exception& e) {
      logger->warn("audit partitions for {} not created (retried next batch): {}",
                   month_text(month), e.what());
    }
  }

  // Signs this node's head, and the admin-change chain's when it moved.
  // Returns the admin seq sealed (0 when none), applied after the commit.
  std::int64_t insert_checkpoint(pqxx::transaction_base& tx, const ChainHead& at) {
    if (at.seq > 0)
      sign_head(tx, *key, options.node, at.seq, at.hash, options.clock());
    const auto admin =
        tx.exec("SELECT seq, record_hash FROM admin_changes ORDER BY seq DESC LIMIT 1");
    if (admin.empty() || admin[0][0].as<std::int64_t>() <= admin_sealed_seq)
      return 0;
    sign_head(tx, *key, kAdminChain, admin[0][0].as<std::int64_t>(), admin[0][1].as<std::string>(),
              options.clock());
    return admin[0][0].as<std::int64_t>();
  }

  // One batch, one transaction. The usual batch travels in a single round
  // trip: BEGIN, the commit-order lock, one INSERT of every row and COMMIT in
  // one query string, which PostgreSQL runs in order and stops at the first
  // error. Under load the writer's round trips, each waiting for the
  // server's process to be scheduled, were most of a batch's time (COPY took
  // five: BEGIN, lock, COPY, its data, COMMIT). A batch that also signs a
  // checkpoint reads the admin-change chain inside the transaction first.
  boost::system::error_code write(std::vector<Pending>& batch) {
    try {
      connect();
      const TimePoint now = options.clock();
      const auto month = utc_month(now);
      prepare_partitions(month);
      const ChainHead before = head;
      ChainHead next = head;
      // The last month's stretch of the chain gets sealed before this month's begins.
      const bool month_sealed = next.month && *next.month != month && next.seq > next.sealed_seq;
      if (month_sealed)
        next.sealed_seq = next.seq;
      next.month = month;
      const std::string committed_at = to_rfc3339(now);
      // Writers of all nodes take turns, so ids are handed out in commit
      // order: an auditor paging by id never misses a row that commits late.
      std::string sql = "BEGIN;SELECT pg_advisory_xact_lock(" + std::to_string(kCommitOrderLock) +
                        ");" + record_insert_prefix();
      sql.reserve(sql.size() + batch.size() * 1'024);
      for (auto& pending : batch) {
        pending.record.node = options.node;
        next.hash = chain_hash(next.hash, ++next.seq, pending.record);
        append_record_values(sql, *connection, pending.record, next.seq, next.hash, committed_at,
                             &pending == &batch.front());
      }
      // Every checkpoint_records records, and every checkpoint_interval while
      // records keep arriving (the idle loop seals only after a quiet interval).
      const bool sealed =
          next.seq - next.sealed_seq >= options.checkpoint_records ||
          std::chrono::steady_clock::now() - sealed_at >= options.checkpoint_interval;
      if (sealed)
        next.sealed_seq = next.seq;
      pqxx::nontransaction tx(*connection);
      std::int64_t admin_sealed = 0;
      if (month_sealed || sealed) {
        tx.exec(sql);
        if (month_sealed)
          admin_sealed = insert_checkpoint(tx, before);
        if (sealed)
          admin_sealed = std::max(admin_sealed, insert_checkpoint(tx, next));
        sql = "COMMIT";
      } else {
        sql += ";COMMIT";
      }
      commit_batch(tx, sql, batch, next.seq);
      admin_sealed_seq = std::max(admin_sealed_seq, admin_sealed);
      if (next.sealed_seq != head.sealed_seq) {
        sealed_at = std::chrono::steady_clock::now();
        checkpoints.fetch_add(1, std::memory_order_relaxed);
      }
      head = next;
      committed.fetch_add(batch.size(), std::memory_order_relaxed);
      return {};
    } catch (const std::exception& e) {
      // Includes an outcome in doubt: when we cannot know the batch is
      // durable we report failure, so no exchange is ever answered
      // unaudited; the chain head is read again on reconnect.
      failed.fetch_add(1, std::memory_order_relaxed);
      logger->error("audit batch of {} records not committed: {}", batch.size(), e.what());
      connection.reset();
      return make_error_code(boost::system::errc::io_error);
    }
  }

  // Sends the query that ends with COMMIT. An error answer means nothing of
  // it committed; a connection lost before the answer leaves the outcome in
  // doubt, settled when the writer reconnects (connect()).
  void commit_batch(pqxx::nontransaction& tx, const std::string& sql,
                    const std::vector<Pending>& batch, std::int64_t last_seq) {
    try {
      // Every statement before the COMMIT either succeeded or stopped the
      // query with an error (the rest of a query string is skipped), so the
      // COMMIT never meets a failed transaction it would quietly roll back.
      tx.exec(sql);
      if (options.after_commit)
        options.after_commit();
    } catch (const pqxx::sql_error&) {
      throw;
    } catch (const pqxx::broken_connection&) {
      remember_in_doubt(batch, last_seq);
      throw;
    } catch (const pqxx::in_doubt_error&) {
      remember_in_doubt(batch, last_seq);
      throw;
    }
  }

  void remember_in_doubt(const std::vector<Pending>& batch, std::int64_t last_seq) {
    for (const auto& pending : batch)
      in_doubt.push_back(pending.record);
    in_doubt_last_seq = last_seq;
  }

  // A checkpoint on its own, when records were written since the last one
  // (or admin changes were made: they are sealed even without traffic).
  void seal_quietly() {
    try {
      connect();
      pqxx::work tx(*connection);
      const bool records = head.seq > head.sealed_seq;
      const ChainHead unchanged{};  // seq 0: only the admin chain
      const std::int64_t admin = insert_checkpoint(tx, records ? head : unchanged);
      if (!records && admin == 0)
        return;
      tx.commit();
      admin_sealed_seq = std::max(admin_sealed_seq, admin);
      if (!records)
        return;
      head.sealed_seq = head.seq;
      sealed_at = std::chrono::steady_clock::now();
      checkpoints.fetch_add(1, std::memory_order_relaxed);
    } catch (const std::exception& e) {
      logger->warn("audit checkpoint not written (retried later): {}", e.what());
      connection.reset();
    }
  }
};

AuditWriter::AuditWriter(WriterOptions options, std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->logger = std::move(logger);
  impl_->commit_seconds = &commit_seconds_;
  impl_->key.emplace(SigningKey::load_or_create(impl_->options.signing_key_path));
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

AuditWriter::~AuditWriter() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
}

asio::awaitable<Status> AuditWriter::commit(AuditRecord record) {
  // The request waits for its batch, or for commit_timeout, whichever comes
  // first; the timer is cancelled by the batch's completion.
  struct Wait {
    explicit Wait(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
    std::optional<boost::system::error_code> result;
  };
  const auto executor = co_await asio::this_coro::executor;
  auto wait = std::make_shared<Wait>(executor);
  auto claim = std::make_shared<std::atomic<Claim>>(Claim::kWaiting);
  impl_->enqueue(std::move(record), Waiter{Completion([wait](boost::system::error_code ec) {
                                             wait->result = ec;
                                             wait->timer.cancel();
                                           }),
                                           executor, claim});
  wait->timer.expires_after(impl_->options.commit_timeout);
  co_await wait->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!wait->result) {
    // Out of time: the caller is answered 503, and the writer records that.
    for (;;) {
      const Claim now = claim->load();
      if (now == Claim::kCommitted)
        co_return Ok{};  // committed a moment ago; its completion is on its way
      if (now == Claim::kFailed)
        break;
      if ((now == Claim::kWaiting && move_claim(*claim, now, Claim::kAbandoned)) ||
          (now == Claim::kTaken && move_claim(*claim, now, Claim::kAbandonedAfterTaken))) {
        co_return make_error(ErrorCode::kServerAuditUnavailable,
                             "the audit log did not commit the exchange's record within " +
                                 std::to_string(impl_->options.commit_timeout.count()) + " ms");
      }
    }
  }
  if (!wait->result || *wait->result) {
    co_return make_error(ErrorCode::kServerAuditUnavailable,
                         "the exchange could not be recorded in the audit log");
  }
  co_return Ok{};
}

std::uint64_t AuditWriter::committed() const {
  return impl_->committed.load();
}
std::size_t AuditWriter::queue_depth() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->queue.size();
}

bool AuditWriter::healthy() const {
  const auto since = impl_->oldest_waiting_since.load();
  const bool stuck = since != 0 && Impl::steady_nanos() - since >
                                       std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           impl_->options.commit_timeout)
                                           .count();
  return impl_->writable.load() && !stuck;
}

std::uint64_t AuditWriter::failed_batches() const {
  return impl_->failed.load();
}
std::uint64_t AuditWriter::checkpoints() const {
  return impl_->checkpoints.load();
}

}  // namespace lienthong::audit

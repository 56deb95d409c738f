#include "lienthong/audit/audit_writer.hpp"

#include <atomic>
#include <mutex>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <spdlog/spdlog.h>

#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/thread_name.hpp"

#include "writer_impl.hpp"

namespace lienthong::audit {
namespace asio = boost::asio;

void AuditWriter::Impl::enqueue(AuditRecord&& record, Waiter&& done) {
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

void AuditWriter::Impl::run() {
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
          publish_to_witness();
          return;
        }
        if (!writable.load())
          try_reconnect();
        if (std::chrono::steady_clock::now() - sealed_at >= options.checkpoint_interval)
          seal_quietly();
        publish_to_witness();
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
    publish_to_witness();  // after the batch's callers were answered
  }
}

std::int64_t AuditWriter::Impl::steady_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void AuditWriter::Impl::take(std::vector<Pending>& batch) {
  for (auto& pending : batch) {
    if (!pending.done.ticket)
      continue;
    if (!move_claim(pending.done.ticket->claim, Claim::kWaiting, Claim::kTaken))
      pending.record = as_unavailable(std::move(pending.record), options.clock());
  }
}

void AuditWriter::Impl::settle(std::vector<Pending>& batch, boost::system::error_code ec) {
  std::vector<AuditRecord> follow_ups;
  for (auto& pending : batch) {
    if (pending.done.ticket &&
        !move_claim(pending.done.ticket->claim, Claim::kTaken,
                    ec ? Claim::kFailed : Claim::kCommitted) &&
        !ec && pending.done.ticket->claim.load() == Claim::kAbandonedAfterTaken) {
      follow_ups.push_back(as_unavailable(pending.record, options.clock()));
    }
  }
  complete_all(batch, ec);
  queue_follow_ups(std::move(follow_ups));
}

void AuditWriter::Impl::queue_follow_ups(std::vector<AuditRecord> records) {
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

AuditWriter::AuditWriter(WriterOptions options, std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->logger = std::move(logger);
  impl_->commit_seconds = &commit_seconds_;
  impl_->key.emplace(SigningKey::load_or_create(impl_->options.signing_key_path));
  if (impl_->options.body_wrapper)
    impl_->body_sealer = std::make_unique<BodySealer>(impl_->options.body_wrapper);
  impl_->thread = std::thread([impl = impl_.get()] {
    name_this_thread("lt-audit");
    impl->run();
  });
}

AuditWriter::~AuditWriter() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
}

asio::awaitable<Result<RecordReceipt>> AuditWriter::commit(AuditRecord record) {
  // The request waits for its batch, or for commit_timeout, whichever comes
  // first; the timer is cancelled by the batch's completion.
  struct Wait {
    explicit Wait(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
    std::optional<boost::system::error_code> result;
  };
  const auto executor = co_await asio::this_coro::executor;
  auto wait = std::make_shared<Wait>(executor);
  auto ticket = std::make_shared<Ticket>();
  std::atomic<Claim>* claim = &ticket->claim;
  impl_->enqueue(std::move(record), Waiter{Completion([wait](boost::system::error_code ec) {
                                             wait->result = ec;
                                             wait->timer.cancel();
                                           }),
                                           executor, ticket});
  wait->timer.expires_after(impl_->options.commit_timeout);
  co_await wait->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!wait->result) {
    // Out of time: the caller is answered 503, and the writer records that.
    for (;;) {
      const Claim now = claim->load();
      if (now == Claim::kCommitted)
        co_return ticket->receipt;  // committed a moment ago; its completion is on its way
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
  co_return ticket->receipt;
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

bool AuditWriter::witness_current() const {
  return !impl_->witness_lagging();
}

bool AuditWriter::timestamps_current() const {
  return !impl_->options.timestamps || !impl_->options.timestamps->overdue();
}

std::string AuditWriter::refusal() const {
  if (!healthy())
    return "the audit log cannot be written now";
  if (!witness_current())
    return "checkpoints have not reached the audit witness for longer than "
           "audit.witness_grace_seconds";
  // Why the authority failed stays with the operator (the node's log):
  // its address and errors are the hub's, not the caller's, to know.
  if (!timestamps_current())
    return "no trusted timestamp could be obtained for the audit log's checkpoints for longer "
           "than audit.timestamp_failure_seconds (" +
           std::to_string(impl_->options.timestamps->period().count()) + " s)";
  return "the audit log cannot be written now";
}

std::uint64_t AuditWriter::witness_failures() const {
  return impl_->witness_failures.load();
}

std::uint64_t AuditWriter::failed_batches() const {
  return impl_->failed.load();
}
std::uint64_t AuditWriter::checkpoints() const {
  return impl_->checkpoints.load();
}

}  // namespace lienthong::audit

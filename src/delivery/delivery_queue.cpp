#include "lienthong/delivery/delivery_queue.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "lienthong/core/grouped_posts.hpp"
#include "lienthong/core/thread_name.hpp"
#include "lienthong/observability/histogram.hpp"

#include "delivery_store.hpp"

namespace lienthong::delivery {
namespace asio = boost::asio;

namespace {

// A batch is at most this many messages, or this many body bytes (at least one message).
constexpr std::size_t kBatchMessages = 256;
constexpr std::size_t kBatchBytes = 4 << 20;

// A message waiting for the committer. It and its result live in the frame
// of the request that awaits them, suspended until `handler` runs.
struct Submission {
  const QueuedMessage* message = nullptr;
  std::optional<Result<DeliveryStatus>>* result = nullptr;
  asio::any_io_executor executor;
  asio::any_completion_handler<void()> handler;
};

Error queue_unavailable() {
  return make_error(ErrorCode::kServerQueueUnavailable,
                    "the delivery queue's database could not be reached");
}

}  // namespace

struct DeliveryQueue::Impl {
  using Job = std::function<Result<DeliveryStatus>(pqxx::transaction_base&)>;

  std::string database_url;
  int max_attempts;
  asio::thread_pool pool;  // status reads
  std::mutex mutex;
  std::vector<std::unique_ptr<pqxx::connection>> idle;  // shared by the pool and the committer

  // Submissions are group-committed: the committer thread writes every
  // message waiting when it wakes in one transaction, so a burst costs one
  // WAL flush instead of one per message.
  std::mutex submissions_mutex;
  std::condition_variable submissions_wake;
  std::deque<Submission> submissions;
  bool stopping = false;
  std::atomic<std::uint64_t> batches{0};
  observability::Histogram commit_seconds;  // one batch: INSERT and COMMIT
  std::thread committer;

  Impl(std::string url, int attempts, int threads)
      : database_url(std::move(url)), max_attempts(attempts), pool(threads) {
    committer = std::thread([this] {
      name_this_thread("lt-async-commit");
      commit_submissions();
    });
  }

  // Runs `work` with a pooled connection, opened on first use. A connection
  // that threw is dropped (the next call opens a new one).
  template <class Work>
  auto with_connection(Work&& work) {
    std::unique_ptr<pqxx::connection> connection;
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        connection = std::move(idle.back());
        idle.pop_back();
      }
    }
    if (!connection)
      connection = std::make_unique<pqxx::connection>(database_url);
    auto result = work(*connection);
    std::lock_guard lock(mutex);
    idle.push_back(std::move(connection));
    return result;
  }

  // Runs `job` in a transaction on a pooled connection; nothing is committed
  // when it fails.
  Result<DeliveryStatus> run(const Job& job) {
    try {
      return with_connection([&](pqxx::connection& connection) {
        pqxx::work tx(connection);
        auto result = job(tx);
        if (result.has_value())
          tx.commit();
        return result;
      });
    } catch (const std::exception&) {
      return queue_unavailable();
    }
  }

  // Runs `job` on the pool and resumes the awaiting request on its own
  // executor. `job` and `result` live in the suspended caller's frame.
  // (By reference to a named local: GCC 12 destroys a temporary passed by
  // value to a coroutine in a co_await expression twice.)
  asio::awaitable<Result<DeliveryStatus>> on_pool(const Job& job) {
    std::optional<Result<DeliveryStatus>> result;
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [this, &job, &result](auto handler) {
          auto executor = asio::get_associated_executor(handler);
          asio::post(pool, [this, &job, &result, executor, handler = std::move(handler)]() mutable {
            result = run(job);
            asio::post(executor, std::move(handler));
          });
        },
        asio::use_awaitable);
    co_return std::move(*result);
  }

  void submit(Submission submission) {
    {
      std::lock_guard lock(submissions_mutex);
      if (!stopping) {
        submissions.push_back(std::move(submission));
        submissions_wake.notify_one();
        return;
      }
    }
    finish(submission, queue_unavailable());
  }

  static void finish(Submission& submission, Result<DeliveryStatus> result) {
    *submission.result = std::move(result);
    asio::post(submission.executor, std::move(submission.handler));
  }

  // The committer thread: until stopped, and then until nothing waits.
  void commit_submissions() {
    std::vector<Submission> batch;
    for (;;) {
      {
        std::unique_lock lock(submissions_mutex);
        submissions_wake.wait(lock, [this] { return stopping || !submissions.empty(); });
        if (submissions.empty())
          return;
        std::size_t bytes = 0;
        while (!submissions.empty() && batch.size() < kBatchMessages &&
               (batch.empty() || bytes + submissions.front().message->body.size() <= kBatchBytes)) {
          bytes += submissions.front().message->body.size();
          batch.push_back(std::move(submissions.front()));
          submissions.pop_front();
        }
      }
      auto results = commit_batch(batch);
      GroupedPosts<asio::any_completion_handler<void()>> posts;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        *batch[i].result = std::move(results[i]);
        posts.add(batch[i].executor, std::move(batch[i].handler));
      }
      posts.post_all();
      batch.clear();
    }
  }

  // One transaction for the batch: the single INSERT of every message, sent
  // outside BEGIN/COMMIT so that PostgreSQL commits it as it ends, in one
  // round trip instead of three (BEGIN, INSERT, COMMIT), each of which waited
  // for a core under load. A resubmission's earlier message is then read
  // after that commit. If the database refuses the batch for what one
  // message holds (not for a lost connection), each message is tried in a
  // transaction of its own: one sender's bad message fails alone.
  std::vector<Result<DeliveryStatus>> commit_batch(const std::vector<Submission>& batch) {
    std::vector<const QueuedMessage*> messages;
    messages.reserve(batch.size());
    for (const auto& submission : batch)
      messages.push_back(submission.message);
    batches.fetch_add(1, std::memory_order_relaxed);
    try {
      return with_connection([&](pqxx::connection& connection) {
        const auto started = std::chrono::steady_clock::now();
        pqxx::nontransaction tx(connection);
        auto results = store::enqueue_many(tx, messages, max_attempts);
        commit_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        return results;
      });
    } catch (const pqxx::broken_connection&) {
    } catch (const pqxx::in_doubt_error&) {
    } catch (const std::exception&) {
      if (messages.size() > 1) {
        std::vector<Result<DeliveryStatus>> results;
        for (const QueuedMessage* message : messages) {
          results.push_back(run([message, this](pqxx::transaction_base& tx) {
            return store::enqueue(tx, *message, max_attempts);
          }));
        }
        return results;
      }
    }
    return std::vector<Result<DeliveryStatus>>(messages.size(), queue_unavailable());
  }
};

DeliveryQueue::DeliveryQueue(std::string database_url, int max_attempts, int threads)
    : impl_(std::make_unique<Impl>(std::move(database_url), max_attempts, threads)) {}

DeliveryQueue::~DeliveryQueue() {
  {
    std::lock_guard lock(impl_->submissions_mutex);
    impl_->stopping = true;
  }
  impl_->submissions_wake.notify_one();
  impl_->committer.join();  // commits what was submitted before
  impl_->pool.join();
}

asio::awaitable<Result<DeliveryStatus>> DeliveryQueue::enqueue(QueuedMessage message) {
  std::optional<Result<DeliveryStatus>> result;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [this, &message, &result](auto handler) {
        auto executor = asio::get_associated_executor(handler);
        impl_->submit(Submission{&message, &result, std::move(executor), std::move(handler)});
      },
      asio::use_awaitable);
  co_return std::move(*result);
}

std::uint64_t DeliveryQueue::batches() const {
  return impl_->batches.load();
}

asio::awaitable<Result<DeliveryStatus>> DeliveryQueue::status(std::int64_t consumer_system_id,
                                                              std::string message_id) {
  const Impl::Job job = [consumer_system_id, &message_id](pqxx::transaction_base& tx) {
    return store::find(tx, consumer_system_id, message_id);
  };
  co_return co_await impl_->on_pool(job);
}

Status DeliveryQueue::write_metrics(observability::Exposition& out) {
  std::vector<std::pair<std::string, std::int64_t>> depth;
  double due_lag = 0;
  try {
    depth = depth_by_state();
    due_lag = due_lag_seconds();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kServerQueueUnavailable, e.what());
  }
  out.family("lienthong_async_queue_depth", "gauge",
             "Asynchronous messages not yet delivered, by state (all nodes share the queue).");
  for (const auto& [state, count] : depth)
    out.sample("lienthong_async_queue_depth", {{"state", state}}, static_cast<double>(count));
  out.family("lienthong_async_due_lag_seconds", "gauge",
             "How long the longest-waiting due message has been due (0 when the workers keep up).");
  out.sample("lienthong_async_due_lag_seconds", {}, due_lag);
  out.family("lienthong_async_submission_commit_duration_seconds", "histogram",
             "Writing and committing one batch of submitted messages (its _count is the batches; "
             "202 answers per batch is the group-commit size).");
  impl_->commit_seconds.write(out, "lienthong_async_submission_commit_duration_seconds", {});
  return Ok{};
}

double DeliveryQueue::due_lag_seconds() {
  return impl_->with_connection([](pqxx::connection& connection) {
    pqxx::read_transaction tx(connection);
    // The deliveries_due index answers min() with its first entry.
    return tx
        .exec(
            "SELECT coalesce(extract(epoch FROM now() - min(next_attempt_at)), 0)::double "
            "precision FROM deliveries WHERE state IN ('queued', 'failed') AND next_attempt_at <= "
            "now()")[0][0]
        .as<double>();
  });
}

std::vector<std::pair<std::string, std::int64_t>> DeliveryQueue::depth_by_state() {
  return impl_->with_connection([](pqxx::connection& connection) {
    pqxx::read_transaction tx(connection);
    std::vector<std::pair<std::string, std::int64_t>> depth;
    // Delivered messages are history, not queue: counting them would grow
    // with every message ever sent.
    for (const auto& row : tx.exec(
             "SELECT s.state, count(d.id) FROM unnest(ARRAY['queued', 'delivering', 'failed', "
             "'dead']) AS s(state) LEFT JOIN deliveries d ON d.state = s.state GROUP BY s.state "
             "ORDER BY s.state"))
      depth.emplace_back(row[0].as<std::string>(), row[1].as<std::int64_t>());
    return depth;
  });
}

}  // namespace lienthong::delivery

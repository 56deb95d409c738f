#include "lienthong/delivery/delivery_queue.hpp"

#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "delivery_store.hpp"

namespace lienthong::delivery {
namespace asio = boost::asio;

struct DeliveryQueue::Impl {
  using Job = std::function<Result<DeliveryStatus>(pqxx::transaction_base&)>;

  std::string database_url;
  int max_attempts;
  asio::thread_pool pool;
  std::mutex mutex;
  std::vector<std::unique_ptr<pqxx::connection>> idle;  // one per pool thread at most

  Impl(std::string url, int attempts, int threads)
      : database_url(std::move(url)), max_attempts(attempts), pool(threads) {}

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
      return make_error(ErrorCode::kServerQueueUnavailable,
                        "the delivery queue's database could not be reached");
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
};

DeliveryQueue::DeliveryQueue(std::string database_url, int max_attempts, int threads)
    : impl_(std::make_unique<Impl>(std::move(database_url), max_attempts, threads)) {}

DeliveryQueue::~DeliveryQueue() {
  impl_->pool.join();
}

asio::awaitable<Result<DeliveryStatus>> DeliveryQueue::enqueue(QueuedMessage message) {
  const int max_attempts = impl_->max_attempts;
  const Impl::Job job = [&message, max_attempts](pqxx::transaction_base& tx) {
    return store::enqueue(tx, message, max_attempts);
  };
  co_return co_await impl_->on_pool(job);
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
  try {
    depth = depth_by_state();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kServerQueueUnavailable, e.what());
  }
  out.family("lienthong_async_queue_depth", "gauge",
             "Asynchronous messages not yet delivered, by state (all nodes share the queue).");
  for (const auto& [state, count] : depth)
    out.sample("lienthong_async_queue_depth", {{"state", state}}, static_cast<double>(count));
  return Ok{};
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

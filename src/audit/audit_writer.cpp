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
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "lienthong/core/timestamp.hpp"

namespace lienthong::audit {
namespace asio = boost::asio;
using Completion = asio::any_completion_handler<void(boost::system::error_code)>;

namespace {

const std::vector<std::string> kColumns{"node",
                                        "message_id",
                                        "request_id",
                                        "correlation_id",
                                        "consumer",
                                        "provider",
                                        "service",
                                        "service_version",
                                        "method",
                                        "path",
                                        "user_id",
                                        "purpose",
                                        "client_address",
                                        "client_fingerprint",
                                        "status",
                                        "error_code",
                                        "request_bytes",
                                        "response_bytes",
                                        "request_sha256",
                                        "response_sha256",
                                        "received_at",
                                        "provider_called_at",
                                        "provider_answered_at",
                                        "responded_at"};

// NULL for empty optional text, so "unknown" and "" are not confused in queries.
const char* nullable(const std::string& text) {
  return text.empty() ? nullptr : text.c_str();
}

// A waiting request: its handler and the I/O executor it must resume on.
struct Waiter {
  Completion handler;
  asio::any_io_executor executor;
};

// Resumes the waiting request on its own I/O thread, never on the writer's.
void complete(Waiter waiter, boost::system::error_code ec) {
  asio::post(waiter.executor,
             [handler = std::move(waiter.handler), ec]() mutable { std::move(handler)(ec); });
}

struct Pending {
  AuditRecord record;
  Waiter done;
};

}  // namespace

struct AuditWriter::Impl {
  WriterOptions options;
  std::shared_ptr<spdlog::logger> logger;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Pending> queue;
  bool stopping = false;
  std::unique_ptr<pqxx::connection> connection;
  std::atomic<std::uint64_t> committed{0};
  std::atomic<std::uint64_t> failed{0};
  std::thread thread;

  void enqueue(AuditRecord&& record, Waiter&& done) {
    {
      std::lock_guard lock(mutex);
      if (!stopping && queue.size() < options.queue_capacity) {
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
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty())
          return;  // stopping, and everything queued was written
        while (!queue.empty() && batch.size() < options.batch_max) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      const auto ec = write(batch);
      for (auto& pending : batch)
        complete(std::move(pending.done), ec);
      batch.clear();
    }
  }

  boost::system::error_code write(const std::vector<Pending>& batch) {
    try {
      if (!connection || !connection->is_open()) {
        connection = std::make_unique<pqxx::connection>(options.database_url);
      }
      pqxx::work tx(*connection);
      pqxx::stream_to stream(tx, "audit_records", kColumns);
      for (const auto& pending : batch)
        write_row(stream, pending.record);
      stream.complete();
      tx.commit();
      committed.fetch_add(batch.size(), std::memory_order_relaxed);
      return {};
    } catch (const std::exception& e) {
      // Includes pqxx::in_doubt_error: when we cannot know the batch is durable
      // we report failure, so no exchange is ever answered unaudited.
      failed.fetch_add(1, std::memory_order_relaxed);
      logger->error("audit batch of {} records not committed: {}", batch.size(), e.what());
      connection.reset();
      return make_error_code(boost::system::errc::io_error);
    }
  }

  static void write_row(pqxx::stream_to& stream, const AuditRecord& r) {
    const auto optional_time = [](const std::optional<TimePoint>& t) {
      return t ? to_rfc3339(*t) : std::string();
    };
    const std::string called = optional_time(r.provider_called_at);
    const std::string answered = optional_time(r.provider_answered_at);
    stream << std::make_tuple(
        r.node.c_str(), nullable(r.message_id), r.request_id.c_str(), nullable(r.correlation_id),
        nullable(r.consumer), nullable(r.provider), nullable(r.service),
        nullable(r.service_version), r.method.c_str(), r.path.c_str(), nullable(r.user_id),
        nullable(r.purpose), nullable(r.client_address), nullable(r.client_fingerprint), r.status,
        nullable(r.error_code), r.request_bytes, r.response_bytes, r.request_sha256.c_str(),
        r.response_sha256.c_str(), to_rfc3339(r.received_at), nullable(called), nullable(answered),
        to_rfc3339(r.responded_at));
  }
};

AuditWriter::AuditWriter(WriterOptions options, std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->logger = std::move(logger);
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
  auto token = asio::as_tuple(asio::use_awaitable);
  auto [ec] = co_await asio::async_initiate<decltype(token), void(boost::system::error_code)>(
      [this, &record](auto handler) {
        auto executor = asio::get_associated_executor(handler);
        impl_->enqueue(std::move(record), Waiter{Completion(std::move(handler)), executor});
      },
      token);
  if (ec) {
    co_return make_error(ErrorCode::kServerAuditUnavailable,
                         "the exchange could not be recorded in the audit log");
  }
  co_return Ok{};
}

std::uint64_t AuditWriter::committed() const {
  return impl_->committed.load();
}
std::uint64_t AuditWriter::failed_batches() const {
  return impl_->failed.load();
}

}  // namespace lienthong::audit

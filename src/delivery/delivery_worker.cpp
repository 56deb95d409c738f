#include "lienthong/delivery/delivery_worker.hpp"

#include <atomic>
#include <poll.h>
#include <random>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "lienthong/adapters/adapter_set.hpp"
#include "lienthong/adapters/standard_request.hpp"
#include "lienthong/audit/audit_sink.hpp"
#include "lienthong/core/json_parse.hpp"
#include "lienthong/core/json_text.hpp"
#include "lienthong/core/message_id.hpp"
#include "lienthong/core/thread_name.hpp"
#include "lienthong/delivery/peer_forwarder.hpp"
#include "lienthong/pipeline/stages.hpp"
#include "lienthong/policy/agreement_check.hpp"
#include "lienthong/registry/notification_wait.hpp"
#include "lienthong/registry/snapshot_store.hpp"

#include "attempt_record.hpp"
#include "delivery_store.hpp"
#include "peer_answer.hpp"
#include "retry_policy.hpp"

namespace lienthong::delivery {
namespace asio = boost::asio;
using Clock = std::chrono::system_clock;

namespace {

// How often a worker with deliveries in flight and free slots looks for new messages.
constexpr std::chrono::milliseconds kLookAgain{25};

// Wakes an idle worker when a message is queued (the NOTIFY of 0006).
class Wakeup final : public pqxx::notification_receiver {
 public:
  explicit Wakeup(pqxx::connection_base& connection)
      : pqxx::notification_receiver(connection, "lienthong_delivery") {}
  void operator()(const std::string&, int) override {}
};

// What one attempt produced: the queue's outcome and the audit record's status.
struct Attempt {
  store::Outcome outcome;
  int status = 0;
  std::string error_code;
};

}  // namespace

// Named (not anonymous) on purpose: with internal linkage GCC 12 inlines the
// coroutine frames far enough to report a false -Wmismatched-new-delete. A
// larger AuditRecord (bodies_key) brought it back even so: Asio's frames are
// allocated and freed by its own operator new/delete pair.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace worker {

// What the worker threads share.
struct Shared {
  DeliveryOptions options;
  WorkerDependencies deps;
  std::atomic<bool> stopping{false};
  registry::StopSignal stop_signal;  // ends an idle worker's wait for work at once
};

// One worker thread: its io_context, adapters, connection and listener.
class Runner {
 public:
  explicit Runner(Shared& impl)
      : impl_(impl),
        adapters_(impl.deps.make_adapters(context_)),
        peer_forwarder_(impl.deps.make_peer_forwarder
                            ? impl.deps.make_peer_forwarder(context_, *adapters_)
                            : nullptr),
        random_(std::random_device{}()) {}

  void run() {
    auto loop = [this]() -> asio::awaitable<void> { co_await this->loop(); };
    asio::co_spawn(context_, std::move(loop), asio::detached);
    context_.run();
  }

 private:
  const DeliveryOptions& options() const { return impl_.options; }

  bool connected() {
    if (connection_ && connection_->is_open())
      return true;
    try {
      wakeup_.reset();
      connection_ = std::make_unique<pqxx::connection>(options().database_url);
      wakeup_ = std::make_unique<Wakeup>(*connection_);
      return true;
    } catch (const std::exception& e) {
      impl_.deps.logger->warn("delivery worker: database unreachable: {}", e.what());
      connection_.reset();
      return false;
    }
  }

  // Blocks this thread until a message is queued or the poll interval ends:
  // nothing is in flight on this thread between batches.
  void wait_for_work() {
    const auto interval = std::chrono::duration_cast<std::chrono::microseconds>(options().poll);
    if (!connected()) {
      pollfd stop{impl_.stop_signal.fd(), POLLIN, 0};
      ::poll(&stop, 1, static_cast<int>(options().poll.count()));
      return;
    }
    try {
      registry::await_notification(*connection_, impl_.stop_signal, interval);
    } catch (const std::exception&) {
      connection_.reset();
    }
  }

  std::vector<store::Claimed> claim(std::size_t limit) {
    if (!connected())
      return {};
    try {
      // One statement, committed by PostgreSQL as it ends: one round trip
      // where BEGIN and COMMIT around it made three.
      pqxx::nontransaction tx(*connection_);
      return store::claim(tx, options().node, static_cast<int>(limit), options().lease);
    } catch (const std::exception& e) {
      impl_.deps.logger->warn("delivery worker: claiming failed: {}", e.what());
      connection_.reset();
      return {};
    }
  }

  // Records the outcomes. If this fails the leases run out and the messages
  // are attempted again: a provider may see one twice, never none.
  void complete(const std::vector<store::Completion>& ended) {
    try {
      if (!connected())
        throw std::runtime_error("no connection");
      pqxx::nontransaction tx(*connection_);  // one statement, as for the claim
      const auto lost = store::complete(tx, options().node, ended);
      for (const auto id : lost)
        impl_.deps.logger->warn("delivery {}: lease lost before completion", id);
    } catch (const std::exception& e) {
      impl_.deps.logger->error("delivery worker: recording {} outcomes failed: {}", ended.size(),
                               e.what());
      connection_.reset();
    }
  }

  // Keeps up to async.batch deliveries in flight: when half of them have
  // ended it claims as many due messages as there are free slots, and
  // records the outcomes of the attempts that ended since it last looked in
  // one transaction. A slow provider holds its own slots only; the others
  // keep flowing (a batch no longer waits for its slowest message).
  asio::awaitable<void> loop() {
    const auto capacity = static_cast<std::size_t>(std::max(options().batch, 1));
    std::size_t in_flight = 0;
    std::vector<store::Completion> ended;
    asio::steady_timer progress(context_);
    while (!impl_.stopping || in_flight > 0) {
      if (!impl_.stopping && in_flight <= capacity / 2) {
        for (auto& message : claim(capacity - in_flight)) {
          ++in_flight;
          const std::int64_t id = message.id;
          // Until the attempt reports, it counts as failed (and is retried).
          auto fallback = unfinished(message).outcome;
          asio::co_spawn(context_, deliver(std::move(message)),
                         [id, fallback = std::move(fallback), &ended, &in_flight, &progress](
                             std::exception_ptr error, Attempt attempt) mutable {
                           ended.push_back(store::Completion{
                               id, error ? std::move(fallback) : std::move(attempt.outcome)});
                           --in_flight;
                           progress.cancel();
                         });
        }
        if (in_flight == 0 && ended.empty()) {
          wait_for_work();
          continue;
        }
      }
      if (ended.empty()) {
        // Woken by the next attempt to end; with free slots also after a
        // moment, to look for new messages (their NOTIFY is read only by an
        // idle worker).
        const bool free_slots = !impl_.stopping && in_flight <= capacity / 2;
        progress.expires_at(free_slots ? asio::steady_timer::clock_type::now() + kLookAgain
                                       : asio::steady_timer::time_point::max());
        co_await progress.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      // Attempts whose ends are already queued on this thread (an audit
      // batch completes many at once) join this transaction.
      co_await asio::post(context_, asio::use_awaitable);
      if (!ended.empty())
        complete(ended);
      ended.clear();
    }
  }

  // A failed attempt: tried again later when `retry` and attempts are left, else dead.
  Attempt failed(const store::Claimed& message, const Error& error, bool retry) {
    Attempt attempt;
    attempt.status = error.http_status();
    attempt.error_code = std::string(error.code_name());
    attempt.outcome.error_code = attempt.error_code;
    attempt.outcome.error = error.detail;
    if (retry && message.attempts < message.max_attempts) {
      attempt.outcome.state = DeliveryState::kFailed;
      attempt.outcome.next_attempt_at =
          Clock::now() +
          backoff(message.attempts, options().backoff_initial, options().backoff_max, random_);
    } else {
      attempt.outcome.state = DeliveryState::kDead;
    }
    return attempt;
  }
  Attempt failed(const store::Claimed& message, const Error& error) {
    return failed(message, error, retriable(error.code));
  }

  // An attempt whose end is unknown counts as failed, and is retried.
  Attempt unfinished(const store::Claimed& message) {
    return failed(message,
                  make_error(ErrorCode::kServerInternal, "the delivery attempt ended unexpectedly"),
                  /*retry=*/true);
  }

  static Attempt delivered(int status, std::string body, const std::string& error_code = "") {
    Attempt attempt;
    attempt.status = status;
    attempt.error_code = error_code;
    attempt.outcome.state = DeliveryState::kDelivered;
    attempt.outcome.response_status = status;
    attempt.outcome.response_body = std::move(body);
    return attempt;
  }

  // The provider's answer as the sender will read it, checked and shaped as
  // a synchronous exchange's would be.
  Attempt answer(const store::Claimed& message, const registry::ServiceEntry& service,
                 const registry::AgreementEntry& agreement, const net::HttpResponse& reply) {
    auto body = pipeline::check_answer(reply, impl_.deps.max_json_depth);
    if (!body.has_value())
      return failed(message, body.error());
    auto shaped = pipeline::shape_answer(reply.status, service, agreement, std::move(body).value());
    if (!shaped.has_value())
      return failed(message, shaped.error());
    return delivered(reply.status, to_json_text(shaped.value()));
  }

  // Everything a delivery attempt needs before the provider call, or why
  // there is no call to make.
  struct Plan {
    std::optional<Attempt> refused;
    registry::SnapshotPtr snapshot;  // keeps service and agreement alive
    const registry::ServiceEntry* service = nullptr;
    const registry::AgreementEntry* agreement = nullptr;
    registry::AuditBodies bodies = registry::AuditBodies::kHash;
    net::HttpRequest call;
  };

  // The stages a queued message has left: its checks were made when it was
  // queued, but service, sender and agreement must still hold now.
  Plan plan(const store::Claimed& message, const std::string& request_id) {
    Plan plan;
    plan.snapshot = impl_.deps.snapshots->current();
    if (!plan.snapshot) {
      plan.refused = failed(message, make_error(ErrorCode::kServerRegistryUnavailable,
                                                "the registry is not loaded yet"));
      return plan;
    }
    const registry::Snapshot& snapshot = *plan.snapshot;
    auto service = pipeline::resolve_service(snapshot, message.service);
    if (!service.has_value()) {
      plan.refused = failed(message, service.error());
      return plan;
    }
    plan.service = service.value();
    plan.bodies = plan.service->audit_bodies;
    const registry::SystemEntry* consumer = snapshot.system(message.consumer);
    if (consumer == nullptr) {
      plan.refused = failed(message, make_error(ErrorCode::kClientUnauthenticated,
                                                "the sending system is no longer active"));
      return plan;
    }
    auto agreement = policy::find_agreement(snapshot, *consumer, *plan.service,
                                            plan.service->service_id.version, Clock::now());
    if (!agreement.has_value()) {
      plan.refused = failed(message, agreement.error());
      return plan;
    }
    plan.agreement = agreement.value();
    plan.call = adapters::standard_request(
        *plan.service,
        {message.message_id, request_id, message.consumer, message.user_id, message.purpose},
        message.body);
    return plan;
  }

  // The attempt's outcome from the provider's answer or error.
  Attempt settle(const store::Claimed& message, const Plan& plan,
                 const Result<net::HttpResponse>& reply) {
    if (reply.has_value())
      return answer(message, *plan.service, *plan.agreement, reply.value());
    if (reply.error().code == ErrorCode::kProviderFault) {
      // The provider's own refusal is its answer, kept like any other.
      const nlohmann::json problem{{"code", reply.error().code_name()},
                                   {"detail", reply.error().detail}};
      return delivered(reply.error().http_status(), problem.dump(),
                       std::string(reply.error().code_name()));
    }
    return failed(message, reply.error());
  }

  // What the next hub answered for a message passed on to it (peer_answer.hpp);
  // no answer at all is retried like a provider's.
  Attempt settle_with_peer(const store::Claimed& message, const Result<net::HttpResponse>& reply) {
    if (!reply.has_value())
      return failed(message, reply.error());
    const PeerAnswer answer = read_peer_answer(reply.value(), impl_.deps.max_json_depth);
    if (answer.delivered)
      return delivered(answer.status, answer.body);
    // The peer's status and code, not the placeholder's.
    Attempt attempt =
        failed(message, make_error(ErrorCode::kProviderError, answer.detail), answer.retry);
    attempt.status = answer.status;
    attempt.error_code = answer.code;
    attempt.outcome.error_code = answer.code;
    return attempt;
  }

  // One attempt: plan, call, settle, and its audit record, committed before
  // the outcome counts.
  asio::awaitable<Attempt> deliver(store::Claimed message) {
    audit::AuditRecord record;
    record.received_at = Clock::now();
    record.request_id = new_uuid_v7();
    Attempt attempt;
    registry::AuditBodies bodies = registry::AuditBodies::kHash;
    if (message.to_peer && !peer_forwarder_) {
      attempt = failed(message,
                       make_error(ErrorCode::kProviderUnavailable,
                                  "this node passes no messages on to peer hubs "
                                  "(federation.instance is not set)"),
                       /*retry=*/true);
    } else if (message.to_peer) {
      const OutboundMessage outbound{message.message_id, message.consumer, message.service,
                                     message.user_id,    message.purpose,  message.body};
      const auto answer = co_await peer_forwarder_->forward(outbound, record);
      attempt = settle_with_peer(message, answer);
    } else if (auto planned = plan(message, record.request_id); planned.refused) {
      attempt = std::move(*planned.refused);
    } else {
      bodies = planned.bodies;
      const auto reply = co_await pipeline::call_provider(
          *adapters_, *impl_.deps.audit, *planned.service, std::move(planned.call), {}, record);
      attempt = settle(message, planned, reply);
    }
    auto complete_record = attempt_record(
        message,
        {options().node, attempt.status, attempt.error_code, attempt.outcome.response_body, bodies},
        std::move(record));
    auto committed = co_await impl_.deps.audit->commit(std::move(complete_record));
    if (!committed.has_value())
      co_return failed(message, committed.error());  // never a delivery without its record
    co_return attempt;
  }

  Shared& impl_;
  asio::io_context context_;
  std::unique_ptr<adapters::AdapterSet> adapters_;
  std::unique_ptr<PeerForwarder> peer_forwarder_;  // null when federation is off
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<Wakeup> wakeup_;
  std::minstd_rand random_;
};

}  // namespace worker

DeliveryOptions DeliveryOptions::from(const Config& config) {
  DeliveryOptions options;
  options.database_url = config.database.url;
  options.node = config.node.name;
  options.workers = config.async.workers;
  options.batch = config.async.batch;
  options.backoff_initial = std::chrono::milliseconds(config.async.backoff_initial_ms);
  options.backoff_max = std::chrono::milliseconds(config.async.backoff_max_ms);
  options.lease = std::chrono::milliseconds(config.async.lease_ms);
  options.poll = std::chrono::milliseconds(config.async.poll_ms);
  return options;
}

struct DeliveryWorker::Impl {
  worker::Shared shared;
  std::vector<std::thread> threads;
};

DeliveryWorker::DeliveryWorker(DeliveryOptions options, WorkerDependencies dependencies)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared.options = std::move(options);
  impl_->shared.deps = std::move(dependencies);
}

DeliveryWorker::~DeliveryWorker() {
  stop();
}

void DeliveryWorker::start() {
  for (int i = 0; i < impl_->shared.options.workers; ++i) {
    impl_->threads.emplace_back([shared = &impl_->shared, i] {
      name_this_thread("lt-delivery-" + std::to_string(i));
      worker::Runner runner(*shared);
      runner.run();
    });
  }
}

void DeliveryWorker::stop() {
  impl_->shared.stopping = true;
  impl_->shared.stop_signal.raise();
  for (auto& thread : impl_->threads) {
    if (thread.joinable())
      thread.join();
  }
  impl_->threads.clear();
}

}  // namespace lienthong::delivery

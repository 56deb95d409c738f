#pragma once
// Whether this node's checkpoints get their trusted timestamps (issue 24):
// the timestamper (evidence/timestamper.hpp) says how each attempt went, the
// audit writer reads it. Failing for longer than the failure period takes
// the node out of service, as X-Road stops a security server whose
// timestamping has been down too long: records would pile up that no
// outside authority dates.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace lienthong::audit {

class TimestampHealth {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TimestampHealth(std::chrono::seconds failure_period) : period_(failure_period) {}

  // A round failed (its reason goes to the node's log): the failing
  // stretch starts now unless it has already.
  void failed(Clock::time_point now = Clock::now()) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    std::int64_t expected = 0;
    failing_since_.compare_exchange_strong(expected, now.time_since_epoch().count());
  }
  // A round ended well, `kept` tokens obtained and kept (0: its checkpoints
  // had theirs already): the failing stretch, if any, is over.
  void succeeded(int kept = 0) {
    kept_.fetch_add(static_cast<std::uint64_t>(kept), std::memory_order_relaxed);
    failing_since_.store(0);
  }
  std::uint64_t kept() const { return kept_.load(std::memory_order_relaxed); }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

  // True once attempts have failed, without a success, for longer than the period.
  bool overdue(Clock::time_point now = Clock::now()) const {
    const std::int64_t since = failing_since_.load();
    return since != 0 && now - Clock::time_point(Clock::duration(since)) > period_;
  }
  std::chrono::seconds period() const { return period_; }

 private:
  const std::chrono::seconds period_;
  std::atomic<std::int64_t> failing_since_{0};  // steady ticks; 0: not failing
  std::atomic<std::uint64_t> kept_{0};
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace lienthong::audit

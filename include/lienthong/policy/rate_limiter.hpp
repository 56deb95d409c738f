#pragma once
// Per-agreement limits on this node: a token bucket (rate_limit_per_minute,
// bursts up to one minute's worth) and a daily quota (UTC days). Counts are
// per hub node; see docs/architecture.md for why and what that means with
// several nodes. Thread-safe; shared by all I/O threads.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "lienthong/core/result.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::policy {

class RateLimiter {
 public:
  using Clock = std::chrono::system_clock;

  // Takes one call from the agreement's budget, or refuses it with
  // Client.RateLimited or Client.QuotaExceeded saying when to retry.
  Status admit(const registry::AgreementEntry& agreement, Clock::time_point now);

 private:
  struct Budget {
    double tokens = 0;
    Clock::time_point refilled_at{};
    std::int64_t day = -1;  // days since the epoch (UTC) that `used_today` counts
    std::int64_t used_today = 0;
  };

  std::mutex mutex_;
  std::unordered_map<std::int64_t, Budget> budgets_;  // by agreement id
};

}  // namespace lienthong::policy

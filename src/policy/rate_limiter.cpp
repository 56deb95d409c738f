#include "lienthong/policy/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace lienthong::policy {

Status RateLimiter::admit(const registry::AgreementEntry& agreement, Clock::time_point now) {
  if (!agreement.rate_limit_per_minute && !agreement.daily_quota)
    return Ok{};
  using std::chrono::duration;
  const auto since_epoch = now.time_since_epoch();
  const std::int64_t day = std::chrono::duration_cast<std::chrono::hours>(since_epoch).count() / 24;

  std::lock_guard lock(mutex_);
  auto [entry, is_new] = budgets_.try_emplace(agreement.id);
  Budget& budget = entry->second;

  if (agreement.daily_quota) {
    if (budget.day != day) {
      budget.day = day;
      budget.used_today = 0;
    }
    if (budget.used_today >= *agreement.daily_quota) {
      const auto next_day = Clock::time_point(std::chrono::hours(24 * (day + 1)));
      const auto wait = std::chrono::duration_cast<std::chrono::seconds>(next_day - now).count();
      Error error = make_error(ErrorCode::kClientQuotaExceeded,
                               "the agreement allows " + std::to_string(*agreement.daily_quota) +
                                   " calls per day (UTC) through this hub node");
      error.retry_after_seconds = static_cast<int>(std::max<std::int64_t>(1, wait));
      return error;
    }
  }
  if (agreement.rate_limit_per_minute) {
    const double capacity = *agreement.rate_limit_per_minute;
    const double per_second = capacity / 60.0;
    if (is_new) {
      budget.tokens = capacity;
    } else {
      const double elapsed = duration<double>(now - budget.refilled_at).count();
      budget.tokens = std::min(capacity, budget.tokens + std::max(0.0, elapsed) * per_second);
    }
    budget.refilled_at = now;
    if (budget.tokens < 1.0) {
      const int wait = static_cast<int>(std::ceil((1.0 - budget.tokens) / per_second));
      Error error =
          make_error(ErrorCode::kClientRateLimited,
                     "the agreement allows " + std::to_string(*agreement.rate_limit_per_minute) +
                         " calls per minute through this hub node");
      error.retry_after_seconds = std::max(1, wait);
      return error;
    }
    budget.tokens -= 1.0;
  }
  if (agreement.daily_quota)
    ++budget.used_today;
  return Ok{};
}

}  // namespace lienthong::policy

#include "lienthong/policy/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace lienthong::policy {

namespace asio = boost::asio;
using Steady = RateLimiter::Steady;

namespace {

// A caller waiting for a grant; the ledger's answer cancels its timer.
struct Wait {
  explicit Wait(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
};

// This node's share of one budget.
struct Budget {
  std::int64_t capacity = 0;
  std::int64_t allowance = 0;      // granted, not yet used
  std::int64_t unreported = 0;     // admitted since the last report
  std::int64_t this_interval = 0;  // admitted since the last take_requests
  Steady::time_point last_call{};
  Steady::time_point valid_until = Steady::time_point::max();  // daily quota grants expire
  Steady::time_point exhausted_until{};                        // refuse without asking until then
  int retry_after_seconds = 1;
  bool in_flight = false;
  std::int64_t asked = 0;  // calls the request in flight asks for
  // Callers waiting for a grant. Not owned: a timer belongs to its caller's
  // I/O thread, which may be gone before the limiter is.
  std::vector<std::weak_ptr<Wait>> waiters;
};

std::int64_t days_since_epoch(RateLimiter::Clock::time_point at) {
  return std::chrono::floor<std::chrono::days>(at).time_since_epoch().count();
}

int seconds_to_next_day(RateLimiter::Clock::time_point at) {
  const auto next = std::chrono::floor<std::chrono::days>(at) + std::chrono::days(1);
  return static_cast<int>(
      std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(next - at).count()));
}

}  // namespace

struct RateLimiter::Impl {
  explicit Impl(Options o) : options(o) {}

  bool usable(const BudgetKey& key, const Budget& budget, Steady::time_point now) const {
    return budget.allowance >= 1 && (key.kind == BudgetKind::kRate || now < budget.valid_until);
  }

  Error refusal(const BudgetKey& key, const Budget& budget) const {
    Error error = key.kind == BudgetKind::kRate
                      ? make_error(ErrorCode::kClientRateLimited,
                                   "the agreement allows " + std::to_string(budget.capacity) +
                                       " calls per minute through the hub")
                      : make_error(ErrorCode::kClientQuotaExceeded,
                                   "the agreement allows " + std::to_string(budget.capacity) +
                                       " calls per day (UTC) through the hub");
    error.retry_after_seconds = budget.retry_after_seconds;
    return error;
  }

  void wake_waiters(Budget& budget) {
    for (auto& waiting : budget.waiters) {
      if (auto wait = waiting.lock())
        asio::post(wait->timer.get_executor(), [wait] { wait->timer.cancel(); });
    }
    budget.waiters.clear();
  }

  // A caller that stops waiting (granted, refused or out of time) leaves no
  // trace in the budgets it waited on; the others are not walked.
  void forget(const std::shared_ptr<Wait>& wait,
              const std::vector<std::pair<BudgetKey, std::int64_t>>& keys) {
    for (const auto& [key, capacity] : keys) {
      const auto budget = budgets.find(key);
      if (budget == budgets.end())
        continue;
      std::erase_if(budget->second.waiters,
                    [&](const std::weak_ptr<Wait>& w) { return w.expired() || w.lock() == wait; });
    }
  }

  const Options options;
  std::mutex mutex;
  std::map<BudgetKey, Budget> budgets;
  std::function<void()> wake;
};

RateLimiter::RateLimiter(Options options) : impl_(std::make_unique<Impl>(options)) {}
RateLimiter::RateLimiter() : RateLimiter(Options{}) {}
RateLimiter::~RateLimiter() = default;

const RateLimiter::Options& RateLimiter::options() const {
  return impl_->options;
}

void RateLimiter::on_demand(std::function<void()> wake) {
  std::lock_guard lock(impl_->mutex);
  impl_->wake = std::move(wake);
}

asio::awaitable<Status> RateLimiter::admit(const registry::AgreementEntry& agreement,
                                           Clock::time_point now) {
  std::vector<std::pair<BudgetKey, std::int64_t>> keys;  // and their capacities
  if (agreement.rate_limit_per_minute)
    keys.push_back({{agreement.id, BudgetKind::kRate, 0}, *agreement.rate_limit_per_minute});
  if (agreement.daily_quota) {
    keys.push_back(
        {{agreement.id, BudgetKind::kDailyQuota, days_since_epoch(now)}, *agreement.daily_quota});
  }
  if (keys.empty())
    co_return Ok{};

  const auto executor = co_await asio::this_coro::executor;
  const auto deadline = Steady::now() + impl_->options.grant_wait;
  for (;;) {
    std::shared_ptr<Wait> wait;
    std::function<void()> wake;
    {
      std::lock_guard lock(impl_->mutex);
      const auto at = Steady::now();
      bool all_usable = true;
      for (const auto& [key, capacity] : keys) {
        Budget& budget = impl_->budgets[key];
        budget.capacity = capacity;
        if (impl_->usable(key, budget, at))
          continue;
        all_usable = false;
        if (at < budget.exhausted_until)
          co_return impl_->refusal(key, budget);
      }
      if (all_usable) {
        for (const auto& [key, capacity] : keys) {
          Budget& budget = impl_->budgets[key];
          --budget.allowance;
          ++budget.unreported;
          ++budget.this_interval;
          budget.last_call = at;
        }
        co_return Ok{};
      }
      if (at >= deadline) {
        co_return make_error(ErrorCode::kServerLimitsUnavailable,
                             "the hub could not obtain a share of the agreement's limits in time");
      }
      // Wait for the ledger's next answer about these budgets.
      wait = std::make_shared<Wait>(executor);
      for (const auto& [key, capacity] : keys) {
        Budget& budget = impl_->budgets[key];
        if (!impl_->usable(key, budget, at)) {
          budget.waiters.push_back(wait);
          budget.last_call = at;
        }
      }
      wake = impl_->wake;
    }
    if (wake)
      wake();
    wait->timer.expires_at(deadline);
    co_await wait->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(impl_->mutex);
    impl_->forget(wait, keys);
  }
}

std::vector<BudgetRequest> RateLimiter::take_requests(Steady::time_point now) {
  std::vector<BudgetRequest> requests;
  std::lock_guard lock(impl_->mutex);
  const auto& options = impl_->options;
  for (auto it = impl_->budgets.begin(); it != impl_->budgets.end();) {
    const BudgetKey& key = it->first;
    Budget& budget = it->second;
    const std::int64_t last_interval = std::exchange(budget.this_interval, 0);
    if (budget.in_flight) {
      ++it;
      continue;
    }
    const bool active = !budget.waiters.empty() || now - budget.last_call < options.idle_after;
    if (!active && budget.allowance == 0 && budget.unreported == 0) {
      it = impl_->budgets.erase(it);  // nothing held, nothing owed: forget it
      continue;
    }
    // Hold about two intervals of this node's own traffic, never more than
    // a quarter of the budget.
    std::int64_t target = 0;
    if (active) {
      target = std::max<std::int64_t>(
          {1, 2 * last_interval, static_cast<std::int64_t>(budget.waiters.size())});
      target = std::min(target, std::max<std::int64_t>(1, budget.capacity / 4));
    }
    const bool expired = key.kind == BudgetKind::kDailyQuota && now >= budget.valid_until;
    const std::int64_t usable = expired ? 0 : budget.allowance;
    BudgetRequest request{key, budget.capacity, budget.unreported, 0, 0};
    if (!active || expired)
      request.put_back = budget.allowance;
    else if (usable > 2 * target)
      request.put_back = usable - target;
    if (usable < target && (now >= budget.exhausted_until || !budget.waiters.empty()))
      request.want = target - usable;
    if (request.used == 0 && request.put_back == 0 && request.want == 0) {
      ++it;
      continue;
    }
    budget.allowance -= request.put_back;
    budget.unreported = 0;
    budget.in_flight = true;
    budget.asked = request.want;
    requests.push_back(request);
    ++it;
  }
  return requests;
}

void RateLimiter::apply(const std::vector<BudgetGrant>& grants, Steady::time_point asked_at,
                        Clock::time_point now) {
  std::lock_guard lock(impl_->mutex);
  const auto& options = impl_->options;
  const auto at = Steady::now();
  for (const auto& grant : grants) {
    const auto found = impl_->budgets.find(grant.key);
    if (found == impl_->budgets.end())
      continue;
    Budget& budget = found->second;
    budget.in_flight = false;
    budget.allowance += grant.given;
    if (grant.key.kind == BudgetKind::kDailyQuota)
      budget.valid_until = asked_at + options.grant_lifetime;
    if (budget.asked > 0 && budget.allowance < 1) {
      // Nothing left for this node: refuse without asking again for a while.
      if (grant.key.kind == BudgetKind::kRate) {
        const double per_second = std::max(1.0, static_cast<double>(budget.capacity)) / 60.0;
        const double seconds = std::max(0.0, 1.0 - grant.left) / per_second;
        budget.retry_after_seconds = std::max(1, static_cast<int>(std::ceil(seconds)));
        budget.exhausted_until = at + options.sync_interval;
      } else {
        budget.retry_after_seconds = seconds_to_next_day(now);
        budget.exhausted_until = at + options.quota_recheck;
      }
    }
    impl_->wake_waiters(budget);
  }
}

std::vector<BudgetRequest> RateLimiter::take_all_back() {
  std::vector<BudgetRequest> requests;
  std::lock_guard lock(impl_->mutex);
  for (auto& [key, budget] : impl_->budgets) {
    if (budget.in_flight || (budget.allowance == 0 && budget.unreported == 0))
      continue;
    requests.push_back({key, budget.capacity, budget.unreported, budget.allowance, 0});
    budget.allowance = 0;
    budget.unreported = 0;
  }
  return requests;
}

void RateLimiter::failed(const std::vector<BudgetRequest>& requests) {
  std::lock_guard lock(impl_->mutex);
  for (const auto& request : requests) {
    const auto found = impl_->budgets.find(request.key);
    if (found == impl_->budgets.end())
      continue;
    Budget& budget = found->second;
    budget.in_flight = false;
    // Reported again next time: counting a call twice only ever refuses
    // more. What was put back stays given up: it may have reached the ledger.
    budget.unreported += request.used;
    impl_->wake_waiters(budget);
  }
}

}  // namespace lienthong::policy

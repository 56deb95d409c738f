#include "lienthong/adapters/circuit_breaker.hpp"

#include <algorithm>

namespace lienthong::adapters {

BreakerOptions BreakerOptions::from(const Config& config) {
  return {config.provider.breaker_failures,
          std::chrono::milliseconds(config.provider.breaker_cooldown_ms)};
}

void CircuitBreakers::write_metrics(observability::Exposition& out) const {
  const auto breakers = report();
  out.family("lienthong_provider_breaker_state", "gauge",
             "1 for the state each provider's circuit breaker is in on this node.");
  for (const auto& breaker : breakers) {
    for (const auto state : {BreakerState::kClosed, BreakerState::kOpen, BreakerState::kHalfOpen}) {
      out.sample("lienthong_provider_breaker_state",
                 {{"provider", breaker.provider}, {"state", to_string(state)}},
                 breaker.state == state ? 1 : 0);
    }
  }
  out.family("lienthong_provider_breaker_rejected_total", "counter",
             "Calls refused because the provider's breaker was open.");
  for (const auto& breaker : breakers) {
    out.sample("lienthong_provider_breaker_rejected_total", {{"provider", breaker.provider}},
               static_cast<double>(breaker.rejected_calls));
  }
}

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half-open";
  }
  return "closed";
}

CircuitBreakers::Breaker& CircuitBreakers::breaker(std::string_view provider) {
  auto found = breakers_.find(provider);
  if (found == breakers_.end())
    found = breakers_.emplace(std::string(provider), Breaker{}).first;
  return found->second;
}

bool CircuitBreakers::admit(std::string_view provider, Clock::time_point now) {
  if (options_.failure_threshold <= 0)
    return true;
  std::lock_guard lock(mutex_);
  Breaker& b = breaker(provider);
  switch (b.state) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      if (now - b.opened_at < options_.cool_down)
        break;
      b.state = BreakerState::kHalfOpen;
      b.probe_started = now;
      return true;
    case BreakerState::kHalfOpen:
      // One probe at a time; a probe that never reported (its caller went
      // away) does not hold the breaker half-open for ever.
      if (now - b.probe_started < options_.cool_down)
        break;
      b.probe_started = now;
      return true;
  }
  ++b.rejected;
  return false;
}

void CircuitBreakers::record(std::string_view provider, bool succeeded, Clock::time_point now) {
  if (options_.failure_threshold <= 0)
    return;
  std::lock_guard lock(mutex_);
  Breaker& b = breaker(provider);
  if (succeeded) {
    b.state = BreakerState::kClosed;
    b.consecutive_failures = 0;
    return;
  }
  ++b.consecutive_failures;
  if (b.state == BreakerState::kHalfOpen || b.consecutive_failures >= options_.failure_threshold) {
    if (b.state != BreakerState::kOpen) {
      b.opened_at = now;
      b.opened_at_wall = std::chrono::system_clock::now();
    }
    b.state = BreakerState::kOpen;
  }
}

void CircuitBreakers::release(std::string_view provider) {
  if (options_.failure_threshold <= 0)
    return;
  std::lock_guard lock(mutex_);
  Breaker& b = breaker(provider);
  if (b.state == BreakerState::kHalfOpen)
    b.probe_started = Clock::time_point{};
}

int CircuitBreakers::seconds_until_probe(std::string_view provider, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const auto found = breakers_.find(provider);
  if (found == breakers_.end())
    return 1;
  const auto left = found->second.opened_at + options_.cool_down - now;
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(left).count();
  return static_cast<int>(std::max<std::int64_t>(seconds, 1));
}

std::vector<BreakerReport> CircuitBreakers::report() const {
  std::vector<BreakerReport> reports;
  {
    std::lock_guard lock(mutex_);
    const auto wall_now = std::chrono::system_clock::now();
    const auto now = Clock::now();
    for (const auto& [provider, b] : breakers_) {
      BreakerReport report{provider, b.state, b.consecutive_failures, b.rejected, {}, {}};
      if (b.state != BreakerState::kClosed) {
        report.opened_at = b.opened_at_wall;
        const auto until_probe = b.opened_at + options_.cool_down - now;
        report.probe_after =
            wall_now + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                           std::max(until_probe, Clock::duration::zero()));
      }
      reports.push_back(std::move(report));
    }
  }
  std::sort(reports.begin(), reports.end(), [](const auto& a, const auto& b) {
    return std::pair{a.state == BreakerState::kClosed, a.provider} <
           std::pair{b.state == BreakerState::kClosed, b.provider};
  });
  return reports;
}

}  // namespace lienthong::adapters

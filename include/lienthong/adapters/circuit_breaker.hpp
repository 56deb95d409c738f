#pragma once
// One circuit breaker per provider system, shared by every I/O thread of a
// node: after `failure_threshold` consecutive failed calls (unreachable,
// timeout, broken or 5xx answers) the provider is given a rest: calls fail
// at once with Provider.Unavailable for `cool_down`, then one probe call
// goes through; its success closes the breaker, its failure opens it again.
// A failing provider then costs callers no waiting and gets no pile-up of
// retries while it recovers.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lienthong/core/config.hpp"
#include "lienthong/observability/exposition.hpp"

namespace lienthong::adapters {

struct BreakerOptions {
  int failure_threshold = 5;  // 0 disables the breakers
  std::chrono::milliseconds cool_down{30'000};

  // provider.breaker_failures and provider.breaker_cooldown_ms.
  static BreakerOptions from(const Config& config);
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };
std::string_view to_string(BreakerState state);

// What the admin API shows of one breaker.
struct BreakerReport {
  std::string provider;  // the provider system's identifier
  BreakerState state = BreakerState::kClosed;
  int consecutive_failures = 0;
  std::uint64_t rejected_calls = 0;  // refused while open, since the node started
  std::optional<std::chrono::system_clock::time_point> opened_at;
  std::optional<std::chrono::system_clock::time_point> probe_after;
};

class CircuitBreakers {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CircuitBreakers(BreakerOptions options) : options_(options) {}

  // Whether a call to `provider` may go ahead; when it returns true the
  // caller must report the outcome with record().
  bool admit(std::string_view provider, Clock::time_point now = Clock::now());
  void record(std::string_view provider, bool succeeded, Clock::time_point now = Clock::now());
  // Instead of record() when the admitted call never reached the provider
  // (e.g. its request could not be mapped): no evidence either way, so a
  // probe slot it held is free again.
  void release(std::string_view provider);

  // Every provider called since the node started, open ones first.
  std::vector<BreakerReport> report() const;
  // lienthong_provider_breaker_* in Prometheus text form.
  void write_metrics(observability::Exposition& out) const;
  // Seconds until the next probe of an open breaker (for Retry-After), at least 1.
  int seconds_until_probe(std::string_view provider, Clock::time_point now = Clock::now()) const;

 private:
  struct Breaker {
    BreakerState state = BreakerState::kClosed;
    int consecutive_failures = 0;
    std::uint64_t rejected = 0;
    Clock::time_point opened_at{};
    std::chrono::system_clock::time_point opened_at_wall{};
    Clock::time_point probe_started{};
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Breaker& breaker(std::string_view provider);  // with mutex_ held

  BreakerOptions options_;
  // Held for a map lookup and a few assignments per provider call; the
  // breaker is shared by all I/O threads, so one node has one view.
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Breaker, Hash, std::equal_to<>> breakers_;
};

}  // namespace lienthong::adapters

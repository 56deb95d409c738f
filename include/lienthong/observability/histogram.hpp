#pragma once
// A Prometheus histogram with fixed bucket bounds, safe to observe from many
// threads at once without a lock (one atomic add per bucket hit).

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "lienthong/observability/exposition.hpp"

namespace lienthong::observability {

// Upper bounds in seconds, from 1 ms (a cached local answer) to 30 s (a
// provider timing out): the range an exchange's latency falls in.
inline constexpr std::array<double, 14> kLatencyBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                       0.25,  0.5,    1,     2.5,  5,     10,   30};

class Histogram {
 public:
  void observe(double seconds);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // The _bucket (cumulative, with le="+Inf"), _sum and _count samples.
  void write(Exposition& out, std::string_view name, const Labels& labels) const;

 private:
  std::array<std::atomic<std::uint64_t>, kLatencyBounds.size()> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};  // integer, so it can be added atomically
};

}  // namespace lienthong::observability

#include "lienthong/observability/histogram.hpp"

#include <algorithm>
#include <string>

#include <spdlog/fmt/fmt.h>

namespace lienthong::observability {

void Histogram::observe(double seconds) {
  seconds = std::max(seconds, 0.0);
  const auto bucket = std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds);
  if (bucket != kLatencyBounds.end())
    buckets_[static_cast<std::size_t>(bucket - kLatencyBounds.begin())].fetch_add(
        1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Histogram::write(Exposition& out, std::string_view name, const Labels& labels) const {
  const std::string bucket_name = std::string(name) + "_bucket";
  Labels with_le = labels;
  with_le.emplace_back("le", "");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    const std::string bound = fmt::format("{}", kLatencyBounds[i]);
    with_le.back().second = bound;
    out.sample(bucket_name, with_le, static_cast<double>(cumulative));
  }
  // Read after the buckets: a concurrent observe may make _count a little
  // larger than the last finite bucket, never smaller.
  const auto total = count();
  with_le.back().second = "+Inf";
  out.sample(bucket_name, with_le, static_cast<double>(std::max(total, cumulative)));
  out.sample(std::string(name) + "_sum", labels,
             static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6);
  out.sample(std::string(name) + "_count", labels,
             static_cast<double>(std::max(total, cumulative)));
}

}  // namespace lienthong::observability

#pragma once
// Remembers the assertions this node has accepted until they expire, so an
// assertion captured on the way cannot be sent again. Per node: a replay to
// another node of the same hub within the assertion's lifetime (at most
// federation.max_clock_skew_seconds + its 60 s) is not caught here; the
// audit log holds both with the same assertion id.

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace lienthong::federation {

class ReplayGuard {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  explicit ReplayGuard(std::size_t capacity = 1'000'000) : capacity_(capacity) {}

  enum class Use { kFirst, kReplay, kFull };
  // kFirst records `id` until `expires_at`; kFull (fail closed) when
  // `capacity` unexpired ids are held already.
  Use use(const std::string& id, TimePoint expires_at, TimePoint now);

 private:
  std::mutex mutex_;
  std::size_t capacity_;
  std::unordered_map<std::string, TimePoint> seen_;
  std::multimap<TimePoint, std::string> by_expiry_;
};

}  // namespace lienthong::federation

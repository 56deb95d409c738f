#pragma once
// How many requests of one calling system are inside this hub node at once.
// A system that opens many connections (or pipelines through many clients)
// cannot take every I/O slot from the others: past the limit it gets 429
// Client.ConcurrencyLimit until one of its requests finishes. Per node, like
// the rate limits. Thread-safe; shared by all I/O threads.

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace lienthong::policy {

class ConcurrencyLimiter {
 public:
  // A request's place; given back when destroyed.
  class Slot {
   public:
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    ~Slot();

   private:
    friend class ConcurrencyLimiter;
    Slot(ConcurrencyLimiter* owner, std::int64_t system_id);
    ConcurrencyLimiter* owner_;
    std::int64_t system_id_;
  };

  explicit ConcurrencyLimiter(int max_per_system);

  // A slot for `system_id`, or nothing when it already holds the maximum.
  std::optional<Slot> acquire(std::int64_t system_id);
  int in_flight(std::int64_t system_id);

 private:
  void release(std::int64_t system_id);

  const int max_per_system_;
  std::mutex mutex_;
  std::unordered_map<std::int64_t, int> in_flight_;  // only systems with requests in flight
};

}  // namespace lienthong::policy

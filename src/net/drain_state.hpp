#pragma once
// Private to the listener (http_server.cpp).

#include <atomic>

namespace lienthong::net {

// What a graceful shutdown needs from the connections: whether answers
// should end their connections (from the shutdown notice on), whether the
// listener has stopped accepting, and how many requests are between their
// first byte and their answer.
struct DrainState {
  std::atomic<bool> closing{false};
  std::atomic<bool> draining{false};
  std::atomic<int> in_flight{0};
};

class InFlight {
 public:
  explicit InFlight(std::atomic<int>& counter) : counter_(counter) { counter_.fetch_add(1); }
  ~InFlight() { counter_.fetch_sub(1); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<int>& counter_;
};

}  // namespace lienthong::net

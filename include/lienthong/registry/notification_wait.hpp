#pragma once
// Waiting on a LISTENing PostgreSQL connection that another thread can cut
// short: a thread that follows a channel (registry changes, queued
// deliveries) is joined at once on shutdown instead of after its poll
// interval.

#include <chrono>

namespace pqxx {
class connection_base;
}

namespace lienthong::registry {

// A one-way, thread-safe "stop now" flag that a poll() can wait on (an eventfd).
class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  void raise() noexcept;  // idempotent
  bool raised() const noexcept;
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

// Delivers the notifications that arrive on `connection` within `timeout` to
// its receivers and returns how many there were: 0 when the time ran out or
// `stop` was raised. Throws pqxx::broken_connection when the connection is lost.
int await_notification(pqxx::connection_base& connection, const StopSignal& stop,
                       std::chrono::microseconds timeout);

}  // namespace lienthong::registry

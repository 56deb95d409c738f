#include "lienthong/registry/notification_wait.hpp"

#include <cerrno>
#include <cstdint>
#include <poll.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

#include <pqxx/pqxx>

namespace lienthong::registry {

StopSignal::StopSignal() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "eventfd");
}

StopSignal::~StopSignal() {
  ::close(fd_);
}

void StopSignal::raise() noexcept {
  const std::uint64_t one = 1;
  // A full counter (never reached) would still leave the fd readable.
  [[maybe_unused]] const auto written = ::write(fd_, &one, sizeof one);
}

bool StopSignal::raised() const noexcept {
  pollfd readable{fd_, POLLIN, 0};
  return ::poll(&readable, 1, 0) == 1;
}

int await_notification(pqxx::connection_base& connection, const StopSignal& stop,
                       std::chrono::microseconds timeout) {
  // Notifications already read from the socket are not signalled by poll().
  if (const int pending = connection.get_notifs(); pending > 0)
    return pending;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!stop.raised()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero())
      return 0;
    const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec wait{static_cast<time_t>(nanoseconds / 1'000'000'000),
                        static_cast<long>(nanoseconds % 1'000'000'000)};
    pollfd watched[2] = {{connection.sock(), POLLIN, 0}, {stop.fd(), POLLIN, 0}};
    if (watched[0].fd < 0)
      throw pqxx::broken_connection("the connection has no socket");
    const int ready = ::ppoll(watched, 2, &wait, nullptr);
    if (ready < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "ppoll");
    if (ready > 0 && watched[0].revents != 0) {
      // Reads what arrived; a closed connection throws here.
      if (const int delivered = connection.get_notifs(); delivered > 0)
        return delivered;
    }
  }
  return 0;
}

}  // namespace lienthong::registry

#pragma once
// Private to the listener (http_server.cpp).

#include <chrono>
#include <cstdint>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

namespace lienthong::net {

// The deadline for reading one request. When it passes, the pending read is
// cancelled, not the connection closed (tcp_stream's own expiry would close
// it), so the slow client can still be told 408 before the hub hangs up.
// Handlers run on the connection's thread; a generation number keeps a
// completion that was already queued from acting on a later request.
template <class Layer>
class ReadDeadline {
 public:
  ReadDeadline(const boost::asio::any_io_executor& executor, Layer& stream)
      : timer_(executor), state_(std::make_shared<State>(State{&stream})) {}
  ReadDeadline(const ReadDeadline&) = delete;
  ReadDeadline& operator=(const ReadDeadline&) = delete;
  ~ReadDeadline() { disarm(); }

  void arm(std::chrono::milliseconds timeout) {
    const auto generation = ++state_->generation;
    state_->expired = false;
    timer_.expires_after(timeout);
    timer_.async_wait([state = state_, generation](const boost::beast::error_code& ec) {
      if (ec || state->generation != generation)
        return;
      state->expired = true;
      state->stream->cancel();
    });
  }
  void disarm() {
    ++state_->generation;
    timer_.cancel();
  }
  bool expired() const { return state_->expired; }

 private:
  struct State {
    Layer* stream;
    std::uint64_t generation = 0;
    bool expired = false;
  };
  boost::asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

}  // namespace lienthong::net

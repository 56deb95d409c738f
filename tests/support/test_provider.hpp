#pragma once
// A real provider system on loopback (plain HTTP, our own server) that
// records what it receives and misbehaves on request, by path:
//   /api/echo     200 {"received": <request body>, "headers": {...}}
//   /api/slow     answers after 2 s (longer than the test service timeout), or,
//                 while held (hold_slow()), when the test releases it
//   /api/fail     500
//   /api/garbage  200 with a body that is not JSON
//   /api/missing  404 {"error": "no record"}

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "lienthong/net/http_message.hpp"
#include "lienthong/net/http_server.hpp"

namespace lienthong::testing {

class TestProvider {
 public:
  TestProvider();
  ~TestProvider();
  std::uint16_t port() const;
  int calls() const { return state_->calls.load(); }
  int open_connections() const { return server_->open_connections(); }
  std::vector<net::HttpRequest> received() const;
  // /api/slow answers only once release_slow() is called (or after 30 s):
  // a request held in flight for as long as a test needs, on any machine.
  void hold_slow() { state_->held.store(true); }
  void release_slow() { state_->held.store(false); }

  struct State {
    std::atomic<int> calls{0};
    std::atomic<bool> held{false};
    mutable std::mutex mutex;
    std::vector<net::HttpRequest> received;
  };

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<net::HttpServer> server_;
};

// A loopback port with nothing listening on it: bound and kept, never listened on.
std::uint16_t closed_port();

}  // namespace lienthong::testing

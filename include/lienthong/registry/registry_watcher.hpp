#pragma once
// Keeps a node's registry snapshot live: LISTENs on PostgreSQL for the
// NOTIFY every registry change sends (schemas/sql/0002_registry.sql), and
// calls `reload` after each burst of changes. While the database is
// unreachable it retries, and reloads once it is back (changes may have been
// missed); the node keeps serving from its last snapshot meanwhile.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "lienthong/registry/notification_wait.hpp"

namespace spdlog {
class logger;
}

namespace lienthong::registry {

struct WatcherOptions {
  std::string database_url;
  std::chrono::milliseconds reconnect_interval{1'000};
  // Changes arriving within this window are folded into one reload.
  std::chrono::milliseconds debounce{50};
};

class RegistryWatcher {
 public:
  // `reload` returns whether the new snapshot was loaded.
  RegistryWatcher(WatcherOptions options, std::function<bool()> reload,
                  std::shared_ptr<spdlog::logger> logger);
  ~RegistryWatcher();  // stops and joins the thread
  RegistryWatcher(const RegistryWatcher&) = delete;
  RegistryWatcher& operator=(const RegistryWatcher&) = delete;

  void start();
  // True while listening and the last reload succeeded.
  bool healthy() const { return healthy_.load(); }

 private:
  void run();
  void listen_until_failure();
  void wait_before_retry();

  WatcherOptions options_;
  std::function<bool()> reload_;
  std::shared_ptr<spdlog::logger> logger_;
  std::atomic<bool> healthy_{false};
  std::atomic<bool> stopping_{false};
  StopSignal stop_signal_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace lienthong::registry

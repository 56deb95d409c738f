#include "lienthong/registry/registry_watcher.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

namespace lienthong::registry {
namespace {

constexpr const char* kChannel = "lienthong_registry";

class ChangeCounter : public pqxx::notification_receiver {
 public:
  ChangeCounter(pqxx::connection_base& connection, int& changes)
      : pqxx::notification_receiver(connection, kChannel), changes_(changes) {}
  void operator()(const std::string&, int) override { ++changes_; }

 private:
  int& changes_;
};

}  // namespace

RegistryWatcher::RegistryWatcher(WatcherOptions options, std::function<bool()> reload,
                                 std::shared_ptr<spdlog::logger> logger)
    : options_(std::move(options)), reload_(std::move(reload)), logger_(std::move(logger)) {}

RegistryWatcher::~RegistryWatcher() {
  stopping_ = true;
  stop_signal_.raise();
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void RegistryWatcher::start() {
  thread_ = std::thread([this] { run(); });
}

void RegistryWatcher::run() {
  bool first = true;
  while (!stopping_) {
    try {
      listen_until_failure();
    } catch (const std::exception& e) {
      if (healthy_.exchange(false) || first) {
        logger_->error(
            "registry not followed ({}); serving the last snapshot, "
            "retrying every {} ms",
            e.what(), options_.reconnect_interval.count());
      }
    }
    first = false;
    wait_before_retry();
  }
}

void RegistryWatcher::listen_until_failure() {
  pqxx::connection connection(options_.database_url);
  int changes = 0;
  ChangeCounter counter(connection, changes);
  // Anything committed before LISTEN took effect is picked up by this reload.
  if (!reload_())
    throw std::runtime_error("registry reload failed");
  if (!healthy_.exchange(true))
    logger_->info("registry change listener connected");
  // The destructor's stop signal ends a wait at once; a lost connection throws from here.
  constexpr std::chrono::seconds kPoll{5};
  while (!stopping_) {
    changes = 0;
    await_notification(connection, stop_signal_, kPoll);
    if (changes == 0)
      continue;
    while (!stopping_ && await_notification(connection, stop_signal_, options_.debounce) > 0) {
    }
    if (stopping_)
      break;
    logger_->debug("registry changed ({} notifications); reloading", changes);
    if (!reload_())
      throw std::runtime_error("registry reload failed");
  }
}

void RegistryWatcher::wait_before_retry() {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, options_.reconnect_interval, [this] { return stopping_.load(); });
}

}  // namespace lienthong::registry

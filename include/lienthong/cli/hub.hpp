#pragma once
// The composition root: builds every part of a hub node from its Config and
// wires them together by constructor. `lienthong serve` and the integration
// tests both start the hub through this class, so they run the same wiring.

#include <cstdint>
#include <memory>

#include "lienthong/core/config.hpp"
#include "lienthong/core/result.hpp"

namespace spdlog {
class logger;
}

namespace lienthong::cli {

class Hub {
 public:
  // Loads the registry and opens the audit writer; throws std::runtime_error
  // with a clear message when the configuration cannot work (missing TLS
  // files, database unreachable at start).
  Hub(Config config, std::shared_ptr<spdlog::logger> logger);
  ~Hub();  // stops serving, flushes the audit queue
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Starts the listeners and the registry change listener.
  void start();
  // Stops at once: requests in flight are dropped unanswered.
  void stop();
  // Graceful stop (SIGTERM): readiness turns false; for
  // limits.shutdown_notice_ms the node still serves, each answer closing its
  // connection; then the listeners stop accepting, requests in flight get
  // up to limits.shutdown_grace_ms to be answered, then the node stops; the
  // audit queue is flushed when the Hub is destroyed. True when every request
  // in flight was answered.
  bool shutdown();
  std::uint16_t exchange_port() const;
  std::uint16_t admin_port() const;

  // Ready: a snapshot is loaded and registry changes are being followed.
  bool ready() const;

  // Rebuilds the registry snapshot from PostgreSQL and swaps it in. On
  // failure the previous snapshot stays in service.
  Status reload_registry();
  std::uint64_t registry_version() const;

  // SIGHUP: applies what can change while running from a freshly read
  // configuration and reloads the registry. The TLS certificate, key and
  // client CA are read again (even at unchanged paths: renewals replace the
  // files) for new connections; open connections keep theirs. The log level
  // follows; each other changed setting is logged as needing a restart.
  // Fails, changing nothing, when the new TLS files cannot be used.
  Status reload(const Config& fresh);

  // Prometheus text exposition of this node's metrics (GET /metrics).
  std::string metrics() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace lienthong::cli

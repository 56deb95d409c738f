#pragma once
// Private to src/cli/: what a hub node is made of (hub.cpp wires and runs
// it, hub_metrics.cpp reports on it).

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "lienthong/adapters/circuit_breaker.hpp"
#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/cli/hub.hpp"
#include "lienthong/core/sealing_key.hpp"
#include "lienthong/delivery/delivery_queue.hpp"
#include "lienthong/delivery/delivery_worker.hpp"
#include "lienthong/evidence/timestamper.hpp"
#include "lienthong/federation/catalogue_puller.hpp"
#include "lienthong/net/http_server.hpp"
#include "lienthong/observability/exchange_metrics.hpp"
#include "lienthong/policy/budget_ledger.hpp"
#include "lienthong/registry/registry_watcher.hpp"
#include "lienthong/registry/snapshot_store.hpp"

namespace lienthong::cli {

struct Hub::Parts {
  Config config;
  std::shared_ptr<spdlog::logger> logger;
  registry::SnapshotStore snapshots;
  SealingKeys sealing_keys;
  std::shared_ptr<const audit::KeyWrapper> body_wrapper;  // audit.body_key; null: off
  mutable std::mutex reload_mutex;
  std::uint64_t registry_version = 0;
  std::chrono::system_clock::time_point registry_loaded_at;
  std::atomic<bool> draining{false};
  // Declared before the writer and the servers that feed them, so they outlive both.
  observability::ExchangeMetrics exchange_metrics;
  std::chrono::system_clock::time_point started_at = std::chrono::system_clock::now();
  std::unique_ptr<audit::AuditWriter> audit;
  std::unique_ptr<observability::MeteredAuditSink> metered_audit;
  std::shared_ptr<adapters::CircuitBreakers> breakers;
  // Declared before the servers, so it stops after them: its last act puts
  // back the limits' grants this node holds.
  std::unique_ptr<policy::BudgetLedger> limits_ledger;
  std::shared_ptr<delivery::DeliveryQueue> deliveries;
  std::unique_ptr<delivery::DeliveryWorker> delivery_worker;
  std::unique_ptr<net::HttpServer> exchange_server;
  std::shared_ptr<boost::asio::thread_pool> admin_workers;
  std::unique_ptr<net::HttpServer> admin_server;
  std::unique_ptr<registry::RegistryWatcher> watcher;
  std::unique_ptr<federation::CataloguePuller> catalogue_puller;  // when federation is on
  evidence::Timestamper::Configured timestamps;                   // when audit.timestamp_url is set

  // Each condition of readiness (/readyz names them) and whether it holds.
  std::vector<std::pair<std::string, bool>> readiness_checks() const {
    return {{"snapshot_loaded", snapshots.current() != nullptr},
            {"database_reachable", watcher && watcher->healthy()},
            {"audit_writer_healthy", audit->healthy()},
            {"audit_witness_current", audit->witness_current()},
            {"audit_timestamps_current", audit->timestamps_current()},
            {"accepting_requests", !draining.load()}};
  }
};

}  // namespace lienthong::cli

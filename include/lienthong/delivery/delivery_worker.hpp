#pragma once
// Delivers queued messages: on its own threads, each with its own adapters
// and provider connections, it claims due messages (FOR UPDATE SKIP LOCKED,
// so any number of nodes share one queue), calls each provider through the
// service's adapter exactly as a synchronous exchange would, keeps the
// shaped answer for the sender, and records every attempt in the audit log.
// Failures the provider may recover from are retried with exponential
// backoff and jitter; after max_attempts (or at once when retrying cannot
// help, e.g. the agreement was revoked) the message is dead. A message for
// another instance's service goes to the peer hub it is reached through
// (PeerForwarder), where it is queued once more.

#include <functional>
#include <memory>

#include "lienthong/delivery/delivery.hpp"

namespace boost::asio {
class io_context;
}
namespace spdlog {
class logger;
}
namespace lienthong::adapters {
class AdapterSet;
}
namespace lienthong::audit {
class AuditSink;
}
namespace lienthong::registry {
class SnapshotStore;
}

namespace lienthong::delivery {

class PeerForwarder;

struct WorkerDependencies {
  const registry::SnapshotStore* snapshots = nullptr;
  audit::AuditSink* audit = nullptr;
  // Adapters (and a provider connection pool) for one worker thread.
  std::function<std::unique_ptr<adapters::AdapterSet>(boost::asio::io_context&)> make_adapters;
  int max_json_depth = 64;
  std::shared_ptr<spdlog::logger> logger;
  // What passes messages for other instances' services on to peer hubs,
  // for one worker thread; unset when federation is off (such messages then
  // wait, failed, for a node that can).
  std::function<std::unique_ptr<PeerForwarder>(boost::asio::io_context&, adapters::AdapterSet&)>
      make_peer_forwarder;
};

class DeliveryWorker {
 public:
  DeliveryWorker(DeliveryOptions options, WorkerDependencies dependencies);
  ~DeliveryWorker();  // stop()
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  void start();
  // Finishes the batch in progress (bounded by the service timeouts), then returns.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::delivery

#pragma once
// The exchange listener's application: routes each request to the endpoint
// of its protocol (src/exchange/<protocol>/), which composes the pipeline's
// stages (lienthong/pipeline/stages.hpp), and guarantees that every answered request, accepted or
// refused, leaves exactly one committed audit record before its response is sent.

#include <chrono>
#include <memory>
#include <string>

#include "lienthong/net/http_handler.hpp"

namespace spdlog {
class logger;
}
namespace lienthong::adapters {
class AdapterSet;
}
namespace lienthong::registry {
class SnapshotStore;
}
namespace lienthong::audit {
class AuditSink;
}

namespace lienthong::federation {
class CataloguePublisher;
class HeldCatalogues;
class PeerClients;
class ReplayGuard;
}  // namespace lienthong::federation
namespace lienthong::delivery {
class DeliveryQueue;
}
namespace lienthong::policy {
class RateLimiter;
class ConcurrencyLimiter;
}  // namespace lienthong::policy

namespace lienthong::exchange {

class EnvelopeParser;

// Shared, read-only (or internally synchronised) dependencies of every I/O thread.
struct ExchangeDependencies {
  const registry::SnapshotStore* snapshots = nullptr;
  audit::AuditSink* audit = nullptr;
  std::shared_ptr<const EnvelopeParser> envelopes;
  std::string node_name;
  int max_json_depth = 64;
  std::shared_ptr<policy::RateLimiter> limits;  // shared by every I/O thread of the node
  std::shared_ptr<policy::ConcurrencyLimiter> concurrency;  // likewise
  // Where asynchronous messages are queued; when null they are refused with
  // Server.QueueUnavailable.
  std::shared_ptr<delivery::DeliveryQueue> deliveries;
  std::shared_ptr<spdlog::logger> logger;
  // Issues this hub's catalogue and assertions to peer hubs (its key and
  // instance); null when federation is off.
  std::shared_ptr<const federation::CataloguePublisher> catalogues;
  // The peers' catalogues this node holds (kept by its puller): what a
  // forwarded envelope may ask for, and the remote part of the catalog.
  std::shared_ptr<const federation::HeldCatalogues> held_catalogues;
  int pull_seconds = 60;  // Retry-After while no valid catalogue of a peer is held
  // Assertions this node accepted, until they expire (shared by its I/O threads).
  std::shared_ptr<federation::ReplayGuard> assertion_replays;
  std::chrono::seconds max_clock_skew{300};
  std::chrono::milliseconds forward_timeout{30'000};  // an exchange forwarded to a peer hub
  // In-flight exchanges per peer hub (keyed by its registry id), shared by
  // the node's I/O threads; null when federation is off.
  std::shared_ptr<policy::ConcurrencyLimiter> peer_concurrency;
};

class ExchangeHandler final : public net::HttpHandler {
 public:
  // `adapters` (and their provider connection pool) belong to the I/O
  // thread this handler serves.
  // `peers` (null when federation is off) forwards to peer hubs from this thread.
  ExchangeHandler(ExchangeDependencies dependencies, std::unique_ptr<adapters::AdapterSet> adapters,
                  std::unique_ptr<federation::PeerClients> peers);
  ~ExchangeHandler() override;

  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override;
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest request, Error error) override;

 private:
  ExchangeDependencies deps_;
  std::unique_ptr<adapters::AdapterSet> adapters_;
  std::unique_ptr<federation::PeerClients> peers_;
};

}  // namespace lienthong::exchange

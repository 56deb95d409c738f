#pragma once
// The exchange listener's application: routes each request to the endpoint
// of its protocol (src/exchange/<protocol>/), which composes the pipeline's
// stages (lienthong/pipeline/stages.hpp), and guarantees that every answered request, accepted or
// refused, leaves exactly one committed audit record before its response is sent.

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
}
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
  // Issues this hub's catalogue to peer hubs; null when federation is off.
  std::shared_ptr<const federation::CataloguePublisher> catalogues;
};

class ExchangeHandler final : public net::HttpHandler {
 public:
  // `adapters` (and their provider connection pool) belong to the I/O
  // thread this handler serves.
  ExchangeHandler(ExchangeDependencies dependencies,
                  std::unique_ptr<adapters::AdapterSet> adapters);
  ~ExchangeHandler() override;

  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override;
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest request, Error error) override;

 private:
  ExchangeDependencies deps_;
  std::unique_ptr<adapters::AdapterSet> adapters_;
};

}  // namespace lienthong::exchange

#pragma once
// The exchange listener's application: routes requests to the exchange
// pipeline and guarantees that every answered request, accepted or refused,
// leaves exactly one committed audit record before its response is sent.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/result.hpp"
#include "lienthong/net/http_handler.hpp"
#include "lienthong/policy/agreement_check.hpp"

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
struct AuditRecord;
}  // namespace lienthong::audit

namespace lienthong::schema {
class JsonSchema;
struct SchemaViolation;
}  // namespace lienthong::schema
namespace lienthong::delivery {
class DeliveryQueue;
}
namespace lienthong::policy {
class RateLimiter;
class ConcurrencyLimiter;
}  // namespace lienthong::policy

namespace lienthong::exchange {

class EnvelopeParser;
struct Envelope;

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
  struct Exchange;  // per-request state, defined in exchange_state.hpp
  struct JsonBody;  // a request body as the checks see it, likewise
  boost::asio::awaitable<Result<net::HttpResponse>> exchange_message(Exchange& exchange);
  boost::asio::awaitable<Result<net::HttpResponse>> rest_message(Exchange& exchange);
  Result<const registry::SystemEntry*> identify(Exchange& exchange);
  boost::asio::awaitable<Result<net::HttpResponse>> queue_message(
      Exchange& exchange, const registry::SystemEntry& caller,
      const registry::ServiceEntry& service, const Envelope& envelope);
  boost::asio::awaitable<Result<net::HttpResponse>> message_status(Exchange& exchange);
  Result<net::HttpResponse> catalog(Exchange& exchange);
  Result<net::HttpResponse> service_description(Exchange& exchange);
  Result<net::HttpResponse> xroad_metaservice(Exchange& exchange,
                                              const registry::SystemEntry& caller,
                                              const registry::SystemEntry& provider,
                                              std::string_view service_code,
                                              std::string_view query);
  boost::asio::awaitable<Result<net::HttpResponse>> call_provider(
      Exchange& exchange, const registry::ServiceEntry& service, net::HttpRequest call);
  Result<const registry::AgreementEntry*> authorize(
      Exchange& exchange, const registry::SystemEntry& caller,
      const registry::ServiceEntry& service, std::string_view version, std::string_view purpose,
      const std::optional<policy::Operation>& operation, const JsonBody& body);
  std::vector<schema::SchemaViolation> validate_request(const schema::JsonSchema& schema,
                                                        const JsonBody& body) const;
  boost::asio::awaitable<net::HttpResponse> finish(Exchange& exchange,
                                                   Result<net::HttpResponse> outcome);

  ExchangeDependencies deps_;
  std::unique_ptr<adapters::AdapterSet> adapters_;
};

}  // namespace lienthong::exchange

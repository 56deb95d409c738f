#pragma once
// Exchange counters and latency histograms, by consumer, provider, service
// and outcome, fed from the audit records every exchange produces (so the
// metrics count exactly what the audit log holds).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <tuple>

#include "lienthong/audit/audit_sink.hpp"
#include "lienthong/observability/histogram.hpp"

namespace lienthong::observability {

// What the metrics keep of one exchange.
struct ExchangeSample {
  std::string consumer;  // "none" when the caller was not authenticated
  std::string provider;  // "none" when the request named none, "unknown" when not registered
  std::string service;
  int status = 0;
  std::string outcome;  // "ok" or the error code, e.g. "Client.SchemaViolation"
  std::int64_t request_bytes = 0;
  std::int64_t response_bytes = 0;
  double seconds = 0;                      // received to answered
  std::optional<double> provider_seconds;  // the provider call, when one was made

  static ExchangeSample from(const audit::AuditRecord& record);
};

class ExchangeMetrics {
 public:
  ExchangeMetrics();
  ~ExchangeMetrics();
  ExchangeMetrics(const ExchangeMetrics&) = delete;
  ExchangeMetrics& operator=(const ExchangeMetrics&) = delete;

  void record(const ExchangeSample& sample);
  // Records whose audit commit failed (answered 503 instead).
  void record_audit_refusal() { audit_refusals_.fetch_add(1, std::memory_order_relaxed); }
  void write(Exposition& out) const;

 private:
  struct Counts;
  struct Latencies;
  using CountKey = std::tuple<std::string, std::string, std::string, int, std::string>;
  using LatencyKey = std::tuple<std::string, std::string>;

  mutable std::shared_mutex mutex_;
  std::map<CountKey, std::unique_ptr<Counts>> counts_;
  std::map<LatencyKey, std::unique_ptr<Latencies>> latencies_;
  std::atomic<std::uint64_t> audit_refusals_{0};
};

// Whether a provider and service code name a registered service. A refused
// request's provider and service are what the caller wrote; only registered
// ones become label values, so callers cannot grow the metrics at will.
using KnownService = std::function<bool(const std::string& provider, const std::string& service)>;

// An AuditSink that records each exchange in ExchangeMetrics, with the
// status the caller actually got, then hands the record on.
class MeteredAuditSink final : public audit::AuditSink {
 public:
  MeteredAuditSink(audit::AuditSink& inner, ExchangeMetrics& metrics, KnownService known)
      : inner_(inner), metrics_(metrics), known_(std::move(known)) {}
  boost::asio::awaitable<Result<audit::RecordReceipt>> commit(audit::AuditRecord record) override;
  bool accepting() const override { return inner_.accepting(); }
  std::string refusal() const override { return inner_.refusal(); }

 private:
  audit::AuditSink& inner_;
  ExchangeMetrics& metrics_;
  KnownService known_;
};

}  // namespace lienthong::observability

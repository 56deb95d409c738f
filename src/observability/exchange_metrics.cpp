#include "lienthong/observability/exchange_metrics.hpp"

#include <algorithm>
#include <mutex>

namespace lienthong::observability {
namespace {

double seconds_between(audit::TimePoint from, audit::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string or_none(const std::string& value) {
  return value.empty() ? "none" : value;
}

// Finds the cell for `key`, creating it on first use. The common case (the
// cell exists) takes only the shared lock.
template <class Map, class Key>
auto& cell(std::shared_mutex& mutex, Map& map, Key&& key) {
  {
    std::shared_lock lock(mutex);
    if (const auto found = map.find(key); found != map.end())
      return *found->second;
  }
  std::unique_lock lock(mutex);
  auto& slot = map[std::forward<Key>(key)];
  if (!slot)
    slot = std::make_unique<typename Map::mapped_type::element_type>();
  return *slot;
}

}  // namespace

struct ExchangeMetrics::Counts {
  std::atomic<std::uint64_t> exchanges{0};
  std::atomic<std::uint64_t> request_bytes{0};
  std::atomic<std::uint64_t> response_bytes{0};
};

struct ExchangeMetrics::Latencies {
  Histogram total;
  Histogram provider;
};

ExchangeSample ExchangeSample::from(const audit::AuditRecord& record) {
  ExchangeSample sample;
  sample.consumer = or_none(record.consumer);
  sample.provider = or_none(record.provider);
  sample.service = or_none(record.service);
  sample.status = record.status;
  sample.outcome = record.error_code.empty() ? "ok" : record.error_code;
  sample.request_bytes = record.request_bytes;
  sample.response_bytes = record.response_bytes;
  sample.seconds = seconds_between(record.received_at, record.responded_at);
  if (record.provider_called_at && record.provider_answered_at)
    sample.provider_seconds =
        seconds_between(*record.provider_called_at, *record.provider_answered_at);
  return sample;
}

ExchangeMetrics::ExchangeMetrics() = default;
ExchangeMetrics::~ExchangeMetrics() = default;

void ExchangeMetrics::record(const ExchangeSample& sample) {
  auto& counts = cell(
      mutex_, counts_,
      CountKey{sample.consumer, sample.provider, sample.service, sample.status, sample.outcome});
  counts.exchanges.fetch_add(1, std::memory_order_relaxed);
  counts.request_bytes.fetch_add(
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, sample.request_bytes)),
      std::memory_order_relaxed);
  counts.response_bytes.fetch_add(
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, sample.response_bytes)),
      std::memory_order_relaxed);
  auto& latencies = cell(mutex_, latencies_, LatencyKey{sample.provider, sample.service});
  latencies.total.observe(sample.seconds);
  if (sample.provider_seconds)
    latencies.provider.observe(*sample.provider_seconds);
}

void ExchangeMetrics::write(Exposition& out) const {
  std::shared_lock lock(mutex_);
  const auto count_labels = [](const CountKey& key, const std::string& status) {
    return Labels{{"consumer", std::get<0>(key)},
                  {"provider", std::get<1>(key)},
                  {"service", std::get<2>(key)},
                  {"status", status},
                  {"outcome", std::get<4>(key)}};
  };
  const auto counter = [&](std::string_view name, std::string_view help, auto field) {
    out.family(name, "counter", help);
    for (const auto& [key, counts] : counts_) {
      const std::string status = std::to_string(std::get<3>(key));
      out.sample(name, count_labels(key, status),
                 static_cast<double>((counts.get()->*field).load(std::memory_order_relaxed)));
    }
  };
  counter("lienthong_exchanges_total",
          "Exchanges answered, by consumer, provider, service, HTTP status and outcome "
          "(ok or the error code); every one has an audit record.",
          &Counts::exchanges);
  counter("lienthong_exchange_request_bytes_total", "Request body bytes received from consumers.",
          &Counts::request_bytes);
  counter("lienthong_exchange_response_bytes_total", "Response body bytes sent to consumers.",
          &Counts::response_bytes);

  const auto histogram = [&](std::string_view name, std::string_view help, auto field) {
    out.family(name, "histogram", help);
    for (const auto& [key, latencies] : latencies_) {
      const Histogram& h = latencies.get()->*field;
      if (h.count() > 0)
        h.write(out, name, {{"provider", std::get<0>(key)}, {"service", std::get<1>(key)}});
    }
  };
  histogram("lienthong_exchange_duration_seconds",
            "From the request's arrival to its answer, audit commit included.", &Latencies::total);
  histogram("lienthong_provider_duration_seconds",
            "The provider call alone, from the request sent to its answer read.",
            &Latencies::provider);

  out.single("lienthong_audit_refusals_total", "counter",
             "Exchanges answered 503 because their audit record could not be committed.",
             static_cast<double>(audit_refusals_.load(std::memory_order_relaxed)));
}

boost::asio::awaitable<Result<audit::RecordReceipt>> MeteredAuditSink::commit(
    audit::AuditRecord record) {
  ExchangeSample sample = ExchangeSample::from(record);
  // An answered exchange reached a registered service; only a refused one
  // can name an invented provider, so only those are looked up.
  if (!record.error_code.empty() && !record.provider.empty() &&
      !known_(record.provider, record.service))
    sample.provider = sample.service = "unknown";
  auto committed = co_await inner_.commit(std::move(record));
  if (!committed.has_value()) {
    // The caller is answered 503 Server.AuditUnavailable instead.
    sample.status = 503;
    sample.outcome = std::string(committed.error().code_name());
    metrics_.record_audit_refusal();
  }
  metrics_.record(sample);
  co_return committed;
}

}  // namespace lienthong::observability

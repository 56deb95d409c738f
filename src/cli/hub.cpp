#include "lienthong/cli/hub.hpp"

#include <mutex>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "lienthong/adapters/adapter_set.hpp"
#include "lienthong/admin/admin_api.hpp"
#include "lienthong/admin/admin_handler.hpp"
#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/delivery/delivery_queue.hpp"
#include "lienthong/delivery/delivery_worker.hpp"
#include "lienthong/exchange/envelope.hpp"
#include "lienthong/exchange/exchange_handler.hpp"
#include "lienthong/net/http_client.hpp"
#include "lienthong/net/http_server.hpp"
#include "lienthong/net/tls_context.hpp"
#include "lienthong/policy/concurrency_limiter.hpp"
#include "lienthong/policy/rate_limiter.hpp"
#include "lienthong/registry/registry_watcher.hpp"
#include "lienthong/registry/snapshot_loader.hpp"
#include "lienthong/registry/snapshot_store.hpp"

namespace lienthong::cli {

struct Hub::Parts {
  Config config;
  std::shared_ptr<spdlog::logger> logger;
  registry::SnapshotStore snapshots;
  std::mutex reload_mutex;
  std::uint64_t registry_version = 0;
  std::unique_ptr<audit::AuditWriter> audit;
  std::shared_ptr<delivery::DeliveryQueue> deliveries;
  std::unique_ptr<delivery::DeliveryWorker> delivery_worker;
  std::unique_ptr<net::HttpServer> exchange_server;
  std::shared_ptr<boost::asio::thread_pool> admin_workers;
  std::unique_ptr<net::HttpServer> admin_server;
  std::unique_ptr<registry::RegistryWatcher> watcher;
};

Hub::Hub(Config config, std::shared_ptr<spdlog::logger> logger)
    : parts_(std::make_unique<Parts>()) {
  Parts& p = *parts_;
  p.config = std::move(config);
  p.logger = std::move(logger);
  if (p.config.database.url.empty()) {
    throw std::runtime_error("database.url: not set (LIENTHONG_DATABASE_URL or [database] url)");
  }
  if (const auto loaded = reload_registry(); !loaded.has_value()) {
    throw std::runtime_error(loaded.error().detail);
  }

  audit::WriterOptions audit_options;
  audit_options.database_url = p.config.database.url;
  audit_options.node = p.config.node.name;
  audit_options.signing_key_path = p.config.audit.signing_key;
  audit_options.queue_capacity = static_cast<std::size_t>(p.config.audit.queue_capacity);
  audit_options.batch_max = static_cast<std::size_t>(p.config.audit.batch_max);
  audit_options.checkpoint_records = p.config.audit.checkpoint_records;
  audit_options.partitions_ahead = p.config.audit.partitions_ahead;
  audit_options.checkpoint_interval = std::chrono::seconds(p.config.audit.checkpoint_seconds);
  p.audit = std::make_unique<audit::AuditWriter>(std::move(audit_options), p.logger);

  auto server_tls = net::make_server_tls_context(
      {p.config.tls.certificate, p.config.tls.private_key, p.config.tls.client_ca});
  auto provider_tls =
      net::make_client_tls_context({p.config.provider.ca_file, p.config.provider.client_certificate,
                                    p.config.provider.client_key});
  const net::ClientOptions client_options{
      std::chrono::milliseconds(p.config.provider.connect_timeout_ms),
      p.config.provider.max_idle_per_host, static_cast<std::uint64_t>(p.config.limits.body_bytes),
      p.config.provider.retries};
  auto breakers = std::make_shared<adapters::CircuitBreakers>(
      adapters::BreakerOptions{p.config.provider.breaker_failures,
                               std::chrono::milliseconds(p.config.provider.breaker_cooldown_ms)});

  exchange::ExchangeDependencies deps;
  deps.snapshots = &p.snapshots;
  deps.audit = p.audit.get();
  deps.envelopes = std::make_shared<const exchange::EnvelopeParser>(p.config.limits.json_depth);
  deps.node_name = p.config.node.name;
  deps.max_json_depth = p.config.limits.json_depth;
  deps.limits = std::make_shared<policy::RateLimiter>();
  deps.concurrency =
      std::make_shared<policy::ConcurrencyLimiter>(p.config.limits.max_concurrent_per_system);
  deps.logger = p.logger;
  p.deliveries =
      std::make_shared<delivery::DeliveryQueue>(p.config.database.url, p.config.async.max_attempts);
  deps.deliveries = p.deliveries;

  // One handler, with its own adapters and provider connection pool, per I/O thread.
  const adapters::AdapterOptions adapter_options{p.config.limits.json_depth};
  auto factory = [deps, provider_tls, client_options, breakers,
                  adapter_options](boost::asio::io_context& context) {
    return std::make_shared<exchange::ExchangeHandler>(
        deps, std::make_unique<adapters::AdapterSet>(
                  std::make_unique<net::HttpClient>(context, provider_tls, client_options),
                  breakers, adapter_options));
  };
  delivery::DeliveryOptions delivery_options;
  delivery_options.database_url = p.config.database.url;
  delivery_options.node = p.config.node.name;
  delivery_options.workers = p.config.async.workers;
  delivery_options.batch = p.config.async.batch;
  delivery_options.backoff_initial = std::chrono::milliseconds(p.config.async.backoff_initial_ms);
  delivery_options.backoff_max = std::chrono::milliseconds(p.config.async.backoff_max_ms);
  delivery_options.lease = std::chrono::milliseconds(p.config.async.lease_ms);
  delivery_options.poll = std::chrono::milliseconds(p.config.async.poll_ms);
  p.delivery_worker = std::make_unique<delivery::DeliveryWorker>(
      delivery_options,
      delivery::WorkerDependencies{
          &p.snapshots, p.audit.get(),
          [provider_tls, client_options, breakers, adapter_options](boost::asio::io_context& io) {
            return std::make_unique<adapters::AdapterSet>(
                std::make_unique<net::HttpClient>(io, provider_tls, client_options), breakers,
                adapter_options);
          },
          p.config.limits.json_depth, p.logger});

  p.exchange_server = std::make_unique<net::HttpServer>(
      net::ServerOptions::from(p.config, p.config.exchange.listen), server_tls, std::move(factory),
      p.logger);

  // The admin listener: one I/O thread is plenty; the database work runs on
  // its own worker pool.
  p.admin_workers = std::make_shared<boost::asio::thread_pool>(p.config.admin.workers);
  auto api = std::make_shared<admin::AdminApi>(admin::AdminApiOptions{
      p.config.database.url,
      [this] {
        return admin::Readiness{ready(), registry_version(),
                                ready() ? "serving registry snapshot and following changes"
                                        : "registry database unreachable or snapshot not loaded; "
                                          "serving the last snapshot"};
      },
      [this] { (void)reload_registry(); }, p.logger, p.admin_workers, breakers});
  auto admin_options = net::ServerOptions::from(p.config, p.config.admin.listen);
  admin_options.threads = 1;
  p.admin_server = std::make_unique<net::HttpServer>(
      admin_options, server_tls,
      [api, workers = p.admin_workers](boost::asio::io_context&) {
        return std::make_shared<admin::AdminHandler>(api, workers);
      },
      p.logger);

  p.watcher = std::make_unique<registry::RegistryWatcher>(
      registry::WatcherOptions{p.config.database.url,
                               std::chrono::milliseconds(p.config.registry.reconnect_ms)},
      [this] { return reload_registry().has_value(); }, p.logger);
}

Hub::~Hub() {
  // Order matters: stop the I/O threads, then let the audit writer drain
  // (its completions are posted into the stopped contexts), then destroy the
  // server and with it the suspended requests.
  stop();
  parts_->watcher.reset();
  if (parts_->admin_workers)
    parts_->admin_workers->join();
  parts_->deliveries.reset();  // waits for queue queries in progress
  parts_->audit.reset();
  parts_->exchange_server.reset();
  parts_->admin_server.reset();
}

void Hub::start() {
  parts_->exchange_server->start();
  parts_->admin_server->start();
  parts_->watcher->start();
  parts_->delivery_worker->start();
  parts_->logger->info(
      "exchange listener on {}:{}, admin listener on {}:{} (node {}, registry v{})",
      parts_->config.exchange.listen.host, exchange_port(), parts_->config.admin.listen.host,
      admin_port(), parts_->config.node.name, registry_version());
}

void Hub::stop() {
  if (parts_->exchange_server)
    parts_->exchange_server->stop();
  if (parts_->admin_server)
    parts_->admin_server->stop();
  // Its batch in progress finishes, audit records included (the writer is still running).
  if (parts_->delivery_worker)
    parts_->delivery_worker->stop();
}

std::uint16_t Hub::admin_port() const {
  return parts_->admin_server->port();
}

bool Hub::ready() const {
  return parts_->snapshots.current() != nullptr && parts_->watcher && parts_->watcher->healthy();
}

std::uint16_t Hub::exchange_port() const {
  return parts_->exchange_server->port();
}

Status Hub::reload_registry() {
  Parts& p = *parts_;
  std::lock_guard lock(p.reload_mutex);
  std::vector<std::string> warnings;
  auto loaded = registry::load_snapshot(p.config.database.url, p.registry_version + 1, &warnings);
  for (const auto& warning : warnings)
    p.logger->warn("registry: {}", warning);
  if (!loaded.has_value()) {
    p.logger->error("{}", loaded.error().detail);
    return std::move(loaded).error();
  }
  ++p.registry_version;
  const auto& snapshot = *loaded.value();
  p.logger->info("registry v{} loaded: {} systems, {} services, {} agreements", p.registry_version,
                 snapshot.system_count(), snapshot.service_count(), snapshot.agreement_count());
  p.snapshots.replace(std::move(loaded).value());
  return Ok{};
}

std::uint64_t Hub::registry_version() const {
  std::lock_guard lock(parts_->reload_mutex);
  return parts_->registry_version;
}

}  // namespace lienthong::cli

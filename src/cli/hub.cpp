#include "lienthong/cli/hub.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "lienthong/adapters/adapter_set.hpp"
#include "lienthong/adapters/circuit_breaker.hpp"
#include "lienthong/admin/admin_api.hpp"
#include "lienthong/admin/admin_handler.hpp"
#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/core/message_id.hpp"
#include "lienthong/core/sealing_key.hpp"
#include "lienthong/delivery/delivery_queue.hpp"
#include "lienthong/delivery/delivery_worker.hpp"
#include "lienthong/evidence/timestamper.hpp"
#include "lienthong/exchange/envelope.hpp"
#include "lienthong/exchange/exchange_handler.hpp"
#include "lienthong/exchange/peer_delivery.hpp"
#include "lienthong/federation/catalogue_publisher.hpp"
#include "lienthong/federation/catalogue_puller.hpp"
#include "lienthong/federation/held_catalogues.hpp"
#include "lienthong/federation/peer_clients.hpp"
#include "lienthong/federation/replay_guard.hpp"
#include "lienthong/net/http_client.hpp"
#include "lienthong/net/http_server.hpp"
#include "lienthong/net/tls_context.hpp"
#include "lienthong/observability/exchange_metrics.hpp"
#include "lienthong/observability/exposition.hpp"
#include "lienthong/policy/budget_ledger.hpp"
#include "lienthong/policy/concurrency_limiter.hpp"
#include "lienthong/policy/rate_limiter.hpp"
#include "lienthong/registry/registry_watcher.hpp"
#include "lienthong/registry/snapshot_loader.hpp"
#include "lienthong/registry/snapshot_store.hpp"

#include "hub_parts.hpp"

namespace lienthong::cli {

namespace {

bool all_hold(const std::vector<std::pair<std::string, bool>>& checks) {
  return std::all_of(checks.begin(), checks.end(), [](const auto& check) { return check.second; });
}

}  // namespace

Hub::Hub(Config config, std::shared_ptr<spdlog::logger> logger)
    : parts_(std::make_unique<Parts>()) {
  Parts& p = *parts_;
  p.config = std::move(config);
  p.logger = std::move(logger);
  if (p.config.database.url.empty()) {
    throw std::runtime_error("database.url: not set (LIENTHONG_DATABASE_URL or [database] url)");
  }
  p.sealing_keys.current = std::make_shared<const SealingKey>(
      SealingKey::load_or_create(p.config.provider.credentials_key));
  if (!p.config.provider.previous_credentials_key.empty()) {
    p.sealing_keys.previous = std::make_shared<const SealingKey>(
        SealingKey::load(p.config.provider.previous_credentials_key));
  }
  if (const auto loaded = reload_registry(); !loaded.has_value()) {
    throw std::runtime_error(loaded.error().detail);
  }

  // Trusted timestamps failing past their period stop exchanges as the writer does.
  p.timestamps = evidence::Timestamper::from_config(p.config, p.logger);
  auto writer_options = audit::WriterOptions::from(p.config);
  writer_options.timestamps = p.timestamps.health;
  p.body_wrapper = audit::configured_key_wrapper(p.config, audit::MissingKey::kCreate);
  writer_options.body_wrapper = p.body_wrapper;
  p.audit = std::make_unique<audit::AuditWriter>(std::move(writer_options), p.logger);
  // Every audit record passes the metrics on its way to the writer, so the
  // exchange counters are exactly what the audit log holds.
  p.metered_audit = std::make_unique<observability::MeteredAuditSink>(
      *p.audit, p.exchange_metrics, [&p](const std::string& provider, const std::string& service) {
        const auto snapshot = p.snapshots.current();
        return snapshot && !snapshot->service_versions(provider + "/" + service).empty();
      });

  auto server_tls = net::make_server_tls_context(
      {p.config.tls.certificate, p.config.tls.private_key, p.config.tls.client_ca});
  auto provider_tls =
      net::make_client_tls_context({p.config.provider.ca_file, p.config.provider.client_certificate,
                                    p.config.provider.client_key});
  const auto client_options = net::ClientOptions::from(p.config);
  auto breakers = p.breakers =
      std::make_shared<adapters::CircuitBreakers>(adapters::BreakerOptions::from(p.config));

  exchange::ExchangeDependencies deps;
  deps.snapshots = &p.snapshots;
  deps.audit = p.metered_audit.get();
  deps.envelopes = std::make_shared<const exchange::EnvelopeParser>(p.config.limits.json_depth);
  deps.node_name = p.config.node.name;
  deps.max_json_depth = p.config.limits.json_depth;
  auto limiter = std::make_shared<policy::RateLimiter>(policy::RateLimiter::Options{
      .sync_interval = std::chrono::milliseconds(p.config.limits.sync_ms)});
  p.limits_ledger = std::make_unique<policy::BudgetLedger>(
      policy::BudgetLedger::Options{p.config.database.url,
                                    p.config.node.name + "/" + new_uuid_v7()},
      limiter, p.logger);
  deps.limits = limiter;
  deps.concurrency =
      std::make_shared<policy::ConcurrencyLimiter>(p.config.limits.max_concurrent_per_system);
  deps.logger = p.logger;
  p.deliveries =
      std::make_shared<delivery::DeliveryQueue>(p.config.database.url, p.config.async.max_attempts);
  deps.deliveries = p.deliveries;
  if (const auto& peers = p.config.federation; !peers.instance.empty()) {
    deps.catalogues = std::make_shared<const federation::CataloguePublisher>(
        peers.instance, audit::SigningKey::load_or_create(peers.signing_key),
        std::chrono::seconds(peers.catalogue_seconds));
    deps.assertion_replays = std::make_shared<federation::ReplayGuard>();
    auto held = std::make_shared<federation::HeldCatalogues>();
    deps.held_catalogues = held;
    deps.pull_seconds = peers.pull_seconds;
    deps.max_clock_skew = std::chrono::seconds(peers.max_clock_skew_seconds);
    deps.forward_timeout = std::chrono::milliseconds(peers.forward_timeout_ms);
    deps.peer_concurrency =
        std::make_shared<policy::ConcurrencyLimiter>(peers.max_concurrent_per_peer);
    p.catalogue_puller = std::make_unique<federation::CataloguePuller>(
        federation::PullOptions{
            p.config.database.url, peers.instance, p.config.node.name, peers.client_certificate,
            peers.client_key, std::chrono::seconds(peers.pull_seconds),
            std::chrono::seconds(peers.max_clock_skew_seconds), std::chrono::milliseconds(5'000)},
        p.snapshots, held, p.logger);
  }

  // One handler, with its own adapters and provider connection pool, per I/O thread.
  const adapters::AdapterOptions adapter_options{p.config.limits.json_depth};
  auto factory = [deps, provider_tls, client_options, breakers, adapter_options,
                  peering = p.config.federation](boost::asio::io_context& context) {
    auto peers = peering.instance.empty() ? nullptr
                                          : std::make_unique<federation::PeerClients>(
                                                context, peering.client_certificate,
                                                peering.client_key, client_options, breakers);
    return std::make_shared<exchange::ExchangeHandler>(
        deps,
        std::make_unique<adapters::AdapterSet>(
            std::make_unique<net::HttpClient>(context, provider_tls, client_options), breakers,
            adapter_options),
        std::move(peers));
  };
  p.delivery_worker = std::make_unique<delivery::DeliveryWorker>(
      delivery::DeliveryOptions::from(p.config),
      delivery::WorkerDependencies{
          &p.snapshots, p.metered_audit.get(),
          [provider_tls, client_options, breakers, adapter_options](boost::asio::io_context& io) {
            return std::make_unique<adapters::AdapterSet>(
                std::make_unique<net::HttpClient>(io, provider_tls, client_options), breakers,
                adapter_options);
          },
          p.config.limits.json_depth, p.logger,
          // Messages for other instances' services go on to peer hubs.
          p.config.federation.instance.empty()
              ? nullptr
              : std::function<std::unique_ptr<delivery::PeerForwarder>(boost::asio::io_context&,
                                                                       adapters::AdapterSet&)>(
                    [deps, client_options, breakers, peering = p.config.federation](
                        boost::asio::io_context& io, adapters::AdapterSet& adapters) {
                      return exchange::make_peer_forwarder(
                          deps,
                          std::make_unique<federation::PeerClients>(io, peering.client_certificate,
                                                                    peering.client_key,
                                                                    client_options, breakers),
                          adapters);
                    })});

  p.exchange_server = std::make_unique<net::HttpServer>(
      net::ServerOptions::from(p.config, p.config.exchange.listen), server_tls, std::move(factory),
      p.logger);

  // The admin listener: one I/O thread is plenty; the database work runs on
  // its own worker pool.
  p.admin_workers = std::make_shared<boost::asio::thread_pool>(p.config.admin.workers);
  admin::AdminApiOptions api_options;
  api_options.database_url = p.config.database.url;
  api_options.audit_read_url = p.config.audit.read_url;
  api_options.audit_witness_dir = p.config.audit.witness_dir;
  api_options.audit_timestamp_trust = p.timestamps.trust;
  api_options.body_wrapper = p.body_wrapper;
  api_options.readiness = [this] {
    auto checks = parts_->readiness_checks();
    const bool ready = all_hold(checks);
    return admin::Readiness{ready, registry_version(), std::move(checks)};
  };
  api_options.after_change = [this] { (void)reload_registry(); };
  api_options.logger = p.logger;
  api_options.workers = p.admin_workers;
  api_options.breakers = breakers;
  api_options.sealing_key = p.sealing_keys.current;
  api_options.metrics = [this] { return metrics(); };
  api_options.metrics_token = p.config.admin.metrics_token;
  api_options.console_dir = p.config.admin.console_dir;
  auto api = std::make_shared<admin::AdminApi>(std::move(api_options));
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
  if (parts_->catalogue_puller)
    parts_->catalogue_puller->start();
  if (parts_->timestamps.timestamper)
    parts_->timestamps.timestamper->start();
  parts_->logger->info(
      "exchange listener on {}:{}, admin listener on {}:{} (node {}, registry v{})",
      parts_->config.exchange.listen.host, exchange_port(), parts_->config.admin.listen.host,
      admin_port(), parts_->config.node.name, registry_version());
  if (const auto& path = parts_->config.node.ports_file; !path.empty()) {
    // Written aside and renamed, so a reader never sees half of it.
    const std::string partial = path + ".partial";
    std::ofstream(partial) << "exchange " << exchange_port() << "\nadmin " << admin_port() << "\n";
    std::filesystem::rename(partial, path);
  }
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
  return all_hold(parts_->readiness_checks());
}

bool Hub::shutdown() {
  Parts& p = *parts_;
  // Not ready from now on: load balancers polling /readyz stop sending.
  p.draining.store(true);
  // The notice: a load balancer needs a few of its health checks to see
  // /readyz fail; until it has, it still sends new connections here, and a
  // listener closed under them would reset them. Meanwhile every answer says
  // Connection: close, so busy clients reconnect elsewhere rather than meet
  // a closed keep-alive connection.
  const auto notice = std::chrono::milliseconds(p.config.limits.shutdown_notice_ms);
  if (notice.count() > 0) {
    p.logger->info(
        "shutting down: not ready, still serving for {} ms so load balancers stop "
        "sending first",
        notice.count());
    p.exchange_server->close_after_answers();
    p.admin_server->close_after_answers();
    std::this_thread::sleep_for(notice);
  }
  const auto grace = std::chrono::milliseconds(p.config.limits.shutdown_grace_ms);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  const int in_flight = p.exchange_server->requests_in_flight();
  p.logger->info("shutting down: {} exchange request(s) in flight, up to {} ms to finish",
                 in_flight, grace.count());
  bool drained = p.exchange_server->drain(grace);
  const auto left =
      std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 deadline - std::chrono::steady_clock::now()));
  drained = p.admin_server->drain(left) && drained;
  if (!drained) {
    p.logger->warn("shutdown: {} request(s) still in flight after {} ms are dropped",
                   p.exchange_server->requests_in_flight() + p.admin_server->requests_in_flight(),
                   grace.count());
  }
  stop();
  return drained;
}

std::uint16_t Hub::exchange_port() const {
  return parts_->exchange_server->port();
}

Status Hub::reload_registry() {
  Parts& p = *parts_;
  std::lock_guard lock(p.reload_mutex);
  std::vector<std::string> warnings;
  auto loaded = registry::load_snapshot(p.config.database.url, p.registry_version + 1, &warnings,
                                        &p.sealing_keys);
  for (const auto& warning : warnings)
    p.logger->warn("registry: {}", warning);
  if (!loaded.has_value()) {
    p.logger->error("{}", loaded.error().detail);
    return std::move(loaded).error();
  }
  ++p.registry_version;
  p.registry_loaded_at = std::chrono::system_clock::now();
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

Status Hub::reload(const Config& fresh) {
  Parts& p = *parts_;
  // Always re-read: renewed certificates usually replace the files in place.
  std::shared_ptr<boost::asio::ssl::context> tls;
  try {
    tls = net::make_server_tls_context(
        {fresh.tls.certificate, fresh.tls.private_key, fresh.tls.client_ca});
  } catch (const std::exception& e) {
    p.logger->error("reload: the TLS files cannot be used, keeping the ones in service: {}",
                    e.what());
    return make_error(ErrorCode::kServerInternal, e.what());
  }
  p.exchange_server->replace_tls(tls);
  p.admin_server->replace_tls(tls);
  p.config.tls = fresh.tls;
  p.logger->info("reload: new connections are served with {}", fresh.tls.certificate);
  for (const auto& key : changed_settings(p.config, fresh)) {
    if (key == "log.level") {
      p.logger->set_level(spdlog::level::from_str(fresh.log.level));
      p.config.log.level = fresh.log.level;
      p.logger->info("reload: log level {}", fresh.log.level);
    } else {
      p.logger->warn("reload: {} changed; it takes effect after a restart", key);
    }
  }
  return reload_registry();
}

}  // namespace lienthong::cli

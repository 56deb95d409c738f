// GET /metrics: the node's Prometheus exposition, read at scrape time.
#include "lienthong/observability/exposition.hpp"

#include "hub_parts.hpp"

namespace lienthong::cli {

std::string Hub::metrics() const {
  const Parts& p = *parts_;
  observability::Exposition out;
  p.exchange_metrics.write(out);

  net::HttpServer::write_metrics(
      out, {{"exchange", p.exchange_server.get()}, {"admin", p.admin_server.get()}});
  p.audit->write_metrics(out);
  // Read from PostgreSQL at scrape time; left out when the database is down
  // (lienthong_ready shows that).
  if (auto written = p.deliveries->write_metrics(out); !written.has_value())
    p.logger->debug("metrics: async queue depth unavailable: {}", written.error().detail);
  p.breakers->write_metrics(out);

  std::uint64_t version = 0;
  std::chrono::system_clock::time_point loaded_at;
  {
    std::lock_guard lock(p.reload_mutex);
    version = p.registry_version;
    loaded_at = p.registry_loaded_at;
  }
  // Read after the load time: a reload between the two cannot make the age
  // negative (it did, once in a CI run, by 75 ms).
  const auto now = std::max(std::chrono::system_clock::now(), loaded_at);
  out.single("lienthong_registry_version", "gauge",
             "The registry snapshot this node serves (counts reloads since start).",
             static_cast<double>(version));
  out.single("lienthong_registry_snapshot_age_seconds", "gauge",
             "Seconds since the snapshot in service was loaded.",
             std::chrono::duration<double>(now - loaded_at).count());
  if (const auto snapshot = p.snapshots.current()) {
    out.family("lienthong_registry_entries", "gauge", "Entries in the snapshot in service.");
    out.sample("lienthong_registry_entries", {{"kind", "systems"}},
               static_cast<double>(snapshot->system_count()));
    out.sample("lienthong_registry_entries", {{"kind", "services"}},
               static_cast<double>(snapshot->service_count()));
    out.sample("lienthong_registry_entries", {{"kind", "agreements"}},
               static_cast<double>(snapshot->agreement_count()));
  }
  out.single("lienthong_ready", "gauge", "1 while /readyz answers 200.", ready() ? 1 : 0);
  out.single("lienthong_process_start_time_seconds", "gauge", "When this node started (Unix time).",
             std::chrono::duration<double>(p.started_at.time_since_epoch()).count());
  out.family("lienthong_build_info", "gauge", "The node's name and version.");
  out.sample("lienthong_build_info", {{"node", p.config.node.name}, {"version", LIENTHONG_VERSION}},
             1);
  return out.text();
}

}  // namespace lienthong::cli

// The registry at national scale: how long a node takes to rebuild its
// snapshot from PostgreSQL, how much memory the snapshot holds, and what the
// per-request lookups cost (certificate -> system, service, agreement), for
// the registry in the database it is pointed at. bench/clinics.sh runs it on
// the demo registry (10 systems) and on the same plus 12,000 clinics, and
// prints the two side by side. One JSON object on standard output.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <malloc.h>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/registry/snapshot_loader.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using lienthong::registry::Snapshot;
using lienthong::registry::SnapshotPtr;

struct Caller {
  std::string fingerprint;
  std::string service_key;
  std::string version;
};

// What one request does to authorise a caller: credential, system, service, agreement.
bool authorise(const Snapshot& snapshot, const Caller& caller) {
  const auto match = snapshot.certificate(caller.fingerprint);
  if (match.system == nullptr)
    return false;
  const auto* service = snapshot.service(caller.service_key);
  if (service == nullptr)
    return false;
  const auto now = std::chrono::system_clock::now();
  for (const auto* agreement : snapshot.agreements(*match.system, *service)) {
    if (agreement->covers_version(caller.version) && agreement->valid_at(now))
      return true;
  }
  return false;
}

// Nanoseconds per authorisation, cycling through `callers` in the given order.
double lookup_ns(const Snapshot& snapshot, const std::vector<Caller>& callers,
                 const std::vector<std::size_t>& order, std::size_t lookups) {
  std::size_t granted = 0;
  const auto start = Clock::now();
  for (std::size_t i = 0; i < lookups; ++i)
    granted += authorise(snapshot, callers[order[i % order.size()]]) ? 1 : 0;
  const auto elapsed = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  if (granted != lookups)
    throw std::runtime_error("an authorisation that should pass did not");
  return elapsed / static_cast<double>(lookups);
}

std::size_t rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoul(line.substr(6));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Registry snapshot rebuild time, memory and lookup cost"};
  std::string database_url;
  std::string label = "registry";
  int rounds = 5;
  std::size_t lookups = 2'000'000;
  app.add_option("--database-url", database_url, "the registry's database")->required();
  app.add_option("--label", label, "name of this registry in the report");
  app.add_option("--rounds", rounds, "snapshot rebuilds to time (median reported)");
  app.add_option("--lookups", lookups, "authorisations per lookup measurement");
  CLI11_PARSE(app, argc, argv);

  // Every caller with a certificate and an approved agreement, as requests name them.
  std::vector<Caller> callers;
  {
    pqxx::connection connection(database_url);
    pqxx::read_transaction tx(connection);
    for (const auto& row : tx.exec(
             "SELECT c.fingerprint, pm.instance || '/' || pm.member_class || '/' || "
             "pm.member_code || '/' || ps.system_code || '/' || a.service_code || '/' || "
             "v.version, v.version FROM agreements a JOIN credentials c ON c.system_id = "
             "a.consumer_system_id AND c.kind = 'certificate' AND c.revoked_at IS NULL JOIN "
             "systems ps ON ps.id = a.provider_system_id JOIN members pm ON pm.id = ps.member_id "
             "JOIN services v ON v.system_id = ps.id AND v.service_code = a.service_code AND "
             "v.status = 'active' WHERE a.status = 'approved' ORDER BY a.id")) {
      callers.push_back(
          {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
  }
  if (callers.empty()) {
    std::cerr << "no caller with a certificate and an approved agreement\n";
    return 1;
  }

  // Rebuild time: the first load warms PostgreSQL's caches and is not counted.
  std::vector<double> load_ms;
  SnapshotPtr snapshot;
  malloc_trim(0);
  const std::size_t heap_before = mallinfo2().uordblks;
  const std::size_t rss_before = rss_kb();
  for (int round = 0; round <= rounds; ++round) {
    snapshot.reset();
    const auto start = Clock::now();
    auto loaded = lienthong::registry::load_snapshot(database_url, round + 1);
    const auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!loaded.has_value()) {
      std::cerr << loaded.error().detail << "\n";
      return 1;
    }
    snapshot = std::move(loaded).value();
    if (round > 0)
      load_ms.push_back(elapsed);
  }
  const std::size_t heap_after = mallinfo2().uordblks;
  const std::size_t rss_after = rss_kb();
  std::sort(load_ms.begin(), load_ms.end());

  // Lookups: the same ten callers (a hot working set) and every caller in a
  // shuffled order (each lookup likely a cache miss in a large registry).
  std::vector<std::size_t> ten(std::min<std::size_t>(10, callers.size()));
  for (std::size_t i = 0; i < ten.size(); ++i)
    ten[i] = i;
  std::vector<std::size_t> all(callers.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  std::shuffle(all.begin(), all.end(), std::mt19937(2026));
  lookup_ns(*snapshot, callers, ten, lookups / 10);  // warm up
  const double hot_ns = lookup_ns(*snapshot, callers, ten, lookups);
  const double spread_ns = lookup_ns(*snapshot, callers, all, lookups);

  const nlohmann::json report = {
      {"label", label},
      {"systems", snapshot->system_count()},
      {"services", snapshot->service_count()},
      {"agreements", snapshot->agreement_count()},
      {"callers", callers.size()},
      {"rebuild_ms_median", load_ms[load_ms.size() / 2]},
      {"rebuild_ms_min", load_ms.front()},
      {"rebuild_ms_max", load_ms.back()},
      {"snapshot_heap_mb", static_cast<double>(heap_after - heap_before) / (1024.0 * 1024.0)},
      {"rss_added_mb", static_cast<double>(rss_after - rss_before) / 1024.0},
      {"authorise_ns_same_10_callers", hot_ns},
      {"authorise_ns_all_callers_shuffled", spread_ns},
  };
  std::cout << report.dump() << std::endl;
  return 0;
}

#pragma once
// Pulls each active peer hub's catalogue every `interval` (every node does;
// storing is idempotent), checks it (catalogue_token.hpp) and keeps the last
// valid one in peer_catalogues until it expires, whatever later pulls bring:
// a peer that is down or answers with a bad catalogue is recorded as the
// last attempt's error, not as an empty catalogue.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}
namespace lienthong::registry {
class SnapshotStore;
}

namespace lienthong::federation {

class HeldCatalogues;

struct PullOptions {
  std::string database_url;
  std::string instance;   // ours: the audience the catalogues must name
  std::string node_name;  // recorded as received_by
  std::string client_certificate;
  std::string client_key;
  std::chrono::seconds interval{60};
  std::chrono::seconds max_clock_skew{300};
  std::chrono::milliseconds timeout{10'000};
};

// What one pull of one peer came to.
struct PullOutcome {
  std::string peer;  // its instance
  bool accepted = false;
  std::string error;  // why not, when not
};

class CataloguePuller {
 public:
  // Each accepted catalogue is also put into `held`, for the exchange path;
  // the first round loads what the database holds (another node's pulls,
  // or ours before a restart), checked again.
  CataloguePuller(PullOptions options, const registry::SnapshotStore& snapshots,
                  std::shared_ptr<HeldCatalogues> held, std::shared_ptr<spdlog::logger> logger);
  ~CataloguePuller();  // stops the thread
  CataloguePuller(const CataloguePuller&) = delete;
  CataloguePuller& operator=(const CataloguePuller&) = delete;

  // Pulls on a thread of its own, at once and then every interval.
  void start();
  // One round, on the caller's thread: every active peer of the current snapshot.
  std::vector<PullOutcome> pull_all();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::federation

#include "lienthong/federation/catalogue_puller.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "lienthong/core/thread_name.hpp"
#include "lienthong/core/utf8.hpp"
#include "lienthong/federation/catalogue_token.hpp"
#include "lienthong/federation/held_catalogues.hpp"
#include "lienthong/registry/snapshot_store.hpp"

#include "peer_fetch.hpp"

namespace lienthong::federation {
namespace {

constexpr const char* kCataloguePath = "/federation/v1/catalogue";

std::int64_t held_version(pqxx::connection& connection, std::int64_t peer_id) {
  pqxx::nontransaction tx(connection);
  const auto rows = tx.exec_params(
      "SELECT coalesce(version, 0) FROM peer_catalogues WHERE peer_id = $1", peer_id);
  return rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
}

// Keeps `token` unless a newer version arrived meanwhile (another node).
void store_accepted(pqxx::connection& connection, std::int64_t peer_id, const std::string& token,
                    const CatalogueClaims& claims, const std::string& node) {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  pqxx::nontransaction tx(connection);
  tx.exec_params(
      "INSERT INTO peer_catalogues AS c (peer_id, token, version, issued_at, expires_at, "
      "services, received_at, received_by, attempted_at, error) VALUES ($1, $2, $3, "
      "to_timestamp($4), to_timestamp($5), $6::jsonb, now(), $7, now(), NULL) "
      "ON CONFLICT (peer_id) DO UPDATE SET token = EXCLUDED.token, version = EXCLUDED.version, "
      "issued_at = EXCLUDED.issued_at, expires_at = EXCLUDED.expires_at, services = "
      "EXCLUDED.services, received_at = now(), received_by = EXCLUDED.received_by, attempted_at "
      "= now(), error = NULL WHERE c.version IS NULL OR c.version <= EXCLUDED.version",
      peer_id, token, claims.version,
      duration_cast<seconds>(claims.issued_at.time_since_epoch()).count(),
      duration_cast<seconds>(claims.expires_at.time_since_epoch()).count(), claims.services.dump(),
      node);
}

// Records the failed attempt; the catalogue held stays. The reason may quote
// the peer's answer: made storable text (valid UTF-8, no NUL) first.
void store_refused(pqxx::connection& connection, std::int64_t peer_id, const std::string& error) {
  std::string text(utf8_prefix(error, 2000));
  replace_invalid_utf8(text);
  std::replace(text.begin(), text.end(), '\0', '?');
  pqxx::nontransaction tx(connection);
  tx.exec_params(
      "INSERT INTO peer_catalogues (peer_id, attempted_at, error) VALUES ($1, now(), $2) "
      "ON CONFLICT (peer_id) DO UPDATE SET attempted_at = now(), error = EXCLUDED.error",
      peer_id, text);
}

}  // namespace

struct CataloguePuller::Impl {
  Impl(PullOptions pull_options, const registry::SnapshotStore& store,
       std::shared_ptr<HeldCatalogues> held_catalogues, std::shared_ptr<spdlog::logger> log)
      : options(std::move(pull_options)),
        snapshots(store),
        held(std::move(held_catalogues)),
        logger(std::move(log)) {}

  PullOptions options;
  const registry::SnapshotStore& snapshots;
  std::shared_ptr<HeldCatalogues> held;
  bool loaded = false;
  std::shared_ptr<spdlog::logger> logger;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;

  PullOutcome pull(pqxx::connection& connection, const registry::PeerEntry& peer) {
    PullOutcome outcome{peer.instance, false, {}};
    FetchOptions fetch{options.client_certificate, options.client_key, options.timeout};
    auto token = fetch_from_peer(peer, kCataloguePath, fetch);
    if (!token.has_value()) {
      outcome.error = token.error().detail;
    } else {
      auto check =
          verify_catalogue(token.value(), expectation(peer, held_version(connection, peer.id)));
      if (check.claims) {
        // Held before it is stored: whoever sees the row can use the catalogue.
        keep(peer, *check.claims);
        store_accepted(connection, peer.id, token.value(), *check.claims, options.node_name);
        outcome.accepted = true;
        return outcome;
      }
      outcome.error = "catalogue refused: " + check.refusal;
    }
    store_refused(connection, peer.id, outcome.error);
    return outcome;
  }

  // What a catalogue of `peer` must be, now, holding `version` already.
  CatalogueExpectation expectation(const registry::PeerEntry& peer, std::int64_t version) const {
    CatalogueExpectation expected;
    expected.issuer = peer.instance;
    expected.audience = options.instance;
    expected.public_key_pem = peer.catalogue_key_pem;
    expected.now = std::chrono::system_clock::now();
    expected.max_clock_skew = options.max_clock_skew;
    expected.held_version = version;
    return expected;
  }

  void keep(const registry::PeerEntry& peer, const CatalogueClaims& claims) {
    held->hold(peer.id, HeldCatalogue{
                            peer.instance, claims.version, claims.expires_at, claims.services, {}});
  }

  // What the database holds, for a node that starts while a peer is down.
  void load_held(pqxx::connection& connection, const registry::Snapshot& snapshot) {
    pqxx::nontransaction tx(connection);
    for (const auto& row : tx.exec("SELECT peer_id, token FROM peer_catalogues WHERE token IS NOT "
                                   "NULL AND expires_at > now()")) {
      const auto peer_id = row[0].as<std::int64_t>();
      for (const auto& peer : snapshot.peers()) {
        if (peer.id != peer_id)
          continue;
        if (auto check = verify_catalogue(row[1].as<std::string>(), expectation(peer, 0));
            check.claims)
          keep(peer, *check.claims);
      }
    }
  }

  void run() {
    name_this_thread("lt-federation");
    std::unique_lock lock(mutex);
    while (!stopping) {
      lock.unlock();
      round();
      lock.lock();
      wake.wait_for(lock, options.interval, [this] { return stopping; });
    }
  }

  std::vector<PullOutcome> round() {
    std::vector<PullOutcome> outcomes;
    const auto snapshot = snapshots.current();
    if (!snapshot || snapshot->peers().empty())
      return outcomes;
    try {
      pqxx::connection connection(options.database_url);
      if (!loaded) {
        load_held(connection, *snapshot);
        loaded = true;
      }
      // One peer's failure to be recorded (a catalogue the database will not
      // store) does not hold up the others.
      for (const auto& peer : snapshot->peers()) {
        try {
          outcomes.push_back(pull(connection, peer));
        } catch (const std::exception& e) {
          outcomes.push_back({peer.instance, false, std::string("cannot record: ") + e.what()});
        }
        if (!outcomes.back().accepted && logger)
          logger->warn("federation: peer {}: {}", peer.instance, outcomes.back().error);
      }
    } catch (const std::exception& e) {
      if (logger)
        logger->warn("federation: cannot record peers' catalogues: {}", e.what());
    }
    return outcomes;
  }
};

CataloguePuller::CataloguePuller(PullOptions options, const registry::SnapshotStore& snapshots,
                                 std::shared_ptr<HeldCatalogues> held,
                                 std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>(std::move(options), snapshots, std::move(held),
                                   std::move(logger))) {}

CataloguePuller::~CataloguePuller() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

void CataloguePuller::start() {
  impl_->thread = std::thread([this] { impl_->run(); });
}

std::vector<PullOutcome> CataloguePuller::pull_all() {
  return impl_->round();
}

}  // namespace lienthong::federation

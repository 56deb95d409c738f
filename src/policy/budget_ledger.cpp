#include "lienthong/policy/budget_ledger.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

namespace lienthong::policy {

namespace {

using Steady = std::chrono::steady_clock;

// How callers tell the ledger's thread to sync now. Shared with the
// limiter's on_demand hook, which may run after the ledger is gone.
struct Signal {
  std::mutex mutex;
  std::condition_variable woken;
  bool demanded = false;
  bool stopping = false;
};

// Both statements take their rows in key order, so two nodes asking for the
// same budgets lock them in the same order.
std::vector<BudgetGrant> rate_grants(pqxx::nontransaction& tx,
                                     const std::vector<BudgetRequest>& requests) {
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    rows.push_back({{"i", i},
                    {"agreement", r.key.agreement_id},
                    {"per_minute", r.capacity},
                    {"put_back", r.put_back},
                    {"want", r.want}});
  }
  const auto result = tx.exec_params(
      "SELECT r.i, g.given, g.tokens_left FROM json_to_recordset($1::json) AS r(i int, "
      "agreement bigint, per_minute int, put_back int, want int) CROSS JOIN LATERAL "
      "lt_rate_grant(r.agreement, r.per_minute, r.put_back, r.want) AS g ORDER BY r.i",
      rows.dump());
  std::vector<BudgetGrant> grants;
  for (const auto& row : result) {
    const auto& request = requests.at(row[0].as<std::size_t>());
    grants.push_back({request.key, row[1].as<std::int64_t>(), row[2].as<double>()});
  }
  return grants;
}

std::vector<BudgetGrant> quota_grants(pqxx::nontransaction& tx, const std::string& holder,
                                      std::chrono::milliseconds dead_after,
                                      const std::vector<BudgetRequest>& requests) {
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    rows.push_back({{"i", i},
                    {"agreement", r.key.agreement_id},
                    {"day", r.key.day},
                    {"quota", r.capacity},
                    {"used", r.used},
                    {"put_back", r.put_back},
                    {"want", r.want}});
  }
  const auto result = tx.exec_params(
      "SELECT r.i, g.given, g.left_over FROM json_to_recordset($1::json) AS r(i int, "
      "agreement bigint, day int, quota bigint, used bigint, put_back bigint, want bigint) "
      "CROSS JOIN LATERAL lt_quota_grant(r.agreement, date '1970-01-01' + r.day, $2, r.quota, "
      "r.used, r.put_back, r.want, make_interval(secs => $3)) AS g ORDER BY r.i",
      rows.dump(), holder, static_cast<double>(dead_after.count()) / 1000.0);
  std::vector<BudgetGrant> grants;
  for (const auto& row : result) {
    const auto& request = requests.at(row[0].as<std::size_t>());
    grants.push_back(
        {request.key, row[1].as<std::int64_t>(), static_cast<double>(row[2].as<std::int64_t>())});
  }
  return grants;
}

}  // namespace

struct BudgetLedger::Impl {
  Impl(Options o, std::shared_ptr<RateLimiter> l, std::shared_ptr<spdlog::logger> log)
      : options(std::move(o)), limiter(std::move(l)), logger(std::move(log)) {}

  // One report-and-grant exchange for every request, rate limits first.
  std::vector<BudgetGrant> exchange(std::vector<BudgetRequest> requests) {
    if (!connection || !connection->is_open())
      connection = std::make_unique<pqxx::connection>(options.database_url);
    std::sort(requests.begin(), requests.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
    const auto first_quota = std::find_if(requests.begin(), requests.end(), [](const auto& r) {
      return r.key.kind == BudgetKind::kDailyQuota;
    });
    const std::vector<BudgetRequest> rates(requests.begin(), first_quota);
    const std::vector<BudgetRequest> quotas(first_quota, requests.end());
    pqxx::nontransaction tx(*connection);
    std::vector<BudgetGrant> grants;
    if (!rates.empty())
      grants = rate_grants(tx, rates);
    if (!quotas.empty()) {
      auto more = quota_grants(tx, options.holder, 2 * limiter->options().grant_lifetime, quotas);
      grants.insert(grants.end(), more.begin(), more.end());
    }
    return grants;
  }

  void sync() {
    const auto asked_at = Steady::now();
    auto requests = limiter->take_requests(asked_at);
    if (requests.empty())
      return;
    try {
      limiter->apply(exchange(requests), asked_at, std::chrono::system_clock::now());
    } catch (const std::exception& e) {
      connection.reset();
      if (failures.fetch_add(1) % 100 == 0 && logger)
        logger->warn("limits: the shared ledger is unreachable: {}", e.what());
      limiter->failed(requests);
    }
  }

  void run() {
    std::unique_lock lock(signal->mutex);
    while (!signal->stopping) {
      signal->woken.wait_for(lock, limiter->options().sync_interval,
                             [&] { return signal->stopping || signal->demanded; });
      if (signal->stopping)
        break;
      signal->demanded = false;
      lock.unlock();
      sync();
      lock.lock();
    }
  }

  const Options options;
  const std::shared_ptr<RateLimiter> limiter;
  const std::shared_ptr<spdlog::logger> logger;
  std::unique_ptr<pqxx::connection> connection;  // the ledger thread's only
  std::atomic<std::uint64_t> failures{0};
  const std::shared_ptr<Signal> signal = std::make_shared<Signal>();
  std::thread thread;
};

BudgetLedger::BudgetLedger(Options options, std::shared_ptr<RateLimiter> limiter,
                           std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(limiter), std::move(logger))) {
  impl_->limiter->on_demand([signal = impl_->signal] {
    {
      std::lock_guard lock(signal->mutex);
      signal->demanded = true;
    }
    signal->woken.notify_one();
  });
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

BudgetLedger::~BudgetLedger() {
  impl_->limiter->on_demand({});
  {
    std::lock_guard lock(impl_->signal->mutex);
    impl_->signal->stopping = true;
  }
  impl_->signal->woken.notify_one();
  impl_->thread.join();
  // What this node holds goes back now rather than when it is seen dead.
  auto requests = impl_->limiter->take_all_back();
  if (!requests.empty()) {
    try {
      impl_->exchange(std::move(requests));
    } catch (const std::exception&) {
      // The database is away: the grants come back when this holder is seen dead.
    }
  }
}

std::uint64_t BudgetLedger::failures() const {
  return impl_->failures.load();
}

}  // namespace lienthong::policy

#pragma once
// The limits' shared ledger: one thread per node that, every sync interval
// while calls flow (at once when a caller waits), reports to PostgreSQL what
// the node's RateLimiter admitted, puts back what it holds unused and takes
// new grants (lt_rate_grant, lt_quota_grant: schemas/sql/0009_shared_limits.sql).
// Its own connection; never on an I/O thread.

#include <chrono>
#include <memory>
#include <string>

#include "lienthong/policy/rate_limiter.hpp"

namespace spdlog {
class logger;
}

namespace lienthong::policy {

class BudgetLedger {
 public:
  struct Options {
    std::string database_url;
    // Names this node's daily-quota grants: the node's name and an id of
    // this process, so a restarted node never takes over a dead one's.
    std::string holder;
  };

  BudgetLedger(Options options, std::shared_ptr<RateLimiter> limiter,
               std::shared_ptr<spdlog::logger> logger);
  ~BudgetLedger();  // puts back what the node holds (best effort), then stops
  BudgetLedger(const BudgetLedger&) = delete;
  BudgetLedger& operator=(const BudgetLedger&) = delete;

  // Exchanges with the database that failed so far (for the metrics).
  std::uint64_t failures() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::policy

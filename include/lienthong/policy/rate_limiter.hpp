#pragma once
// Per-agreement limits for the whole hub: a rate limit (rate_limit_per_minute,
// a token bucket that refills at that rate and holds one minute's worth) and
// a daily quota (UTC days), each one budget shared by every node. A node
// admits a call only from a grant the shared ledger gave it (BudgetLedger,
// in PostgreSQL), so all nodes together stay within the budget, and it
// never asks the database per request: it holds about two sync intervals'
// worth of its own traffic, asks for more while busy and puts back what it
// did not use when idle. Only a node's first call of an agreement, or of a
// day, waits for a grant. docs/architecture.md, "Limits across nodes", says
// what is guaranteed. Thread-safe; shared by all I/O threads and the
// ledger's thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "lienthong/core/result.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::policy {

enum class BudgetKind { kRate, kDailyQuota };

struct BudgetKey {
  std::int64_t agreement_id = 0;
  BudgetKind kind = BudgetKind::kRate;
  std::int64_t day = 0;  // daily quota: days since the epoch (UTC); 0 for rate
  auto operator<=>(const BudgetKey&) const = default;
};

// What this node reports of one budget and asks of it.
struct BudgetRequest {
  BudgetKey key;
  std::int64_t capacity = 0;  // per minute, or per day
  std::int64_t used = 0;      // calls admitted since the last report
  std::int64_t put_back = 0;  // granted calls this node gives back unused
  std::int64_t want = 0;      // more calls it asks for
};

// The ledger's answer: calls granted, and what is left for anyone.
struct BudgetGrant {
  BudgetKey key;
  std::int64_t given = 0;
  double left = 0;  // tokens in the bucket, or calls left in the day
};

class RateLimiter {
 public:
  using Clock = std::chrono::system_clock;
  using Steady = std::chrono::steady_clock;

  struct Options {
    // How often the ledger's thread reports and asks while calls flow; a
    // node holds about two of these worth of its own traffic.
    std::chrono::milliseconds sync_interval{100};
    // A first call waits this long for its grant, then gets 503.
    std::chrono::milliseconds grant_wait{2'000};
    // A daily-quota grant not renewed for this long is not used any more
    // (the ledger declares a holder dead after twice this).
    std::chrono::milliseconds grant_lifetime{2'500};
    // Unused grants go back after this long without a call.
    std::chrono::milliseconds idle_after{1'000};
    // A used-up daily quota is refused without asking for this long; other
    // nodes may put back what they hold meanwhile.
    std::chrono::milliseconds quota_recheck{1'000};
  };

  explicit RateLimiter(Options options);
  RateLimiter();
  ~RateLimiter();

  // Takes one call from the agreement's budgets, or refuses it with
  // Client.RateLimited or Client.QuotaExceeded saying when to retry, or
  // Server.LimitsUnavailable when no grant came in time.
  boost::asio::awaitable<Status> admit(const registry::AgreementEntry& agreement,
                                       Clock::time_point now);

  // ---- the ledger's side ----
  // Called when a caller waits for a grant: the ledger should sync now.
  void on_demand(std::function<void()> wake);
  // What to report and ask now; these budgets are in flight until answered.
  std::vector<BudgetRequest> take_requests(Steady::time_point now);
  // The answers to the last take_requests; `asked_at` is when it was taken.
  void apply(const std::vector<BudgetGrant>& grants, Steady::time_point asked_at,
             Clock::time_point now);
  // Everything this node holds and owes, to put back and report when it
  // stops; nothing is admitted from these budgets afterwards.
  std::vector<BudgetRequest> take_all_back();
  // The requests could not be answered (the database is down): their
  // reports are kept for the next try and waiting callers are refused.
  void failed(const std::vector<BudgetRequest>& requests);

  const Options& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::policy

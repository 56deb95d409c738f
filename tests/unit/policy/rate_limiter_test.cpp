// The node side of the shared limits, with a ledger kept in memory that does
// what lt_rate_grant and lt_quota_grant do in PostgreSQL (schemas/sql/
// 0009_shared_limits.sql); the SQL itself is exercised by
// tests/integration/shared_limits_test.cpp with real hub processes.
#include "lienthong/policy/rate_limiter.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace lienthong::policy {
namespace {

namespace asio = boost::asio;
using Clock = RateLimiter::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

registry::AgreementEntry agreement(std::optional<int> per_minute, std::optional<int> per_day) {
  registry::AgreementEntry entry;
  entry.id = 7;
  entry.rate_limit_per_minute = per_minute;
  entry.daily_quota = per_day;
  return entry;
}

// One budget store for every limiter in a test. Time stands still unless a
// test moves it, so buckets refill only when told.
class MemoryLedger {
 public:
  // Makes `limiter` a node of this ledger: it asks whenever a caller waits.
  void join(RateLimiter& limiter, std::string holder) {
    nodes_.push_back({&limiter, holder});
    limiter.on_demand([this, &limiter] { sync(limiter); });
  }
  void sync(RateLimiter& limiter) {
    const auto holder = std::find_if(nodes_.begin(), nodes_.end(), [&](auto& n) {
                          return n.first == &limiter;
                        })->second;
    const auto asked_at = RateLimiter::Steady::now();
    std::vector<BudgetGrant> grants;
    for (const auto& request : limiter.take_requests(asked_at))
      grants.push_back(grant(holder, request));
    limiter.apply(grants, asked_at, now);
  }
  void sync_all() {
    for (auto& node : nodes_)
      sync(*node.first);
  }
  // Rate: tokens in the bucket; quota: calls not granted to anyone.
  double left(const BudgetKey& key) const {
    return key.kind == BudgetKind::kRate ? buckets_.at(key.agreement_id) : quota_left_.at(key);
  }
  // A holder that stopped reporting: what it holds and did not use comes back.
  void declare_dead(const std::string& holder) {
    for (auto& [key, grants] : quota_grants_) {
      auto& grant = grants[holder];
      quota_left_[key] += grant.granted - grant.used;
      grant.granted = grant.used;
    }
  }
  Clock::time_point now = Clock::time_point(seconds(86'400 * 20'000 + 3'600));
  double refill_seconds = 0;  // added to the next rate grant's elapsed time

 private:
  struct QuotaGrant {
    std::int64_t granted = 0;
    std::int64_t used = 0;
  };
  BudgetGrant grant(const std::string& holder, const BudgetRequest& r) {
    if (r.key.kind == BudgetKind::kRate) {
      auto [bucket, fresh] = buckets_.try_emplace(r.key.agreement_id, r.capacity);
      double& tokens = bucket->second;
      tokens = std::min<double>(
          r.capacity, tokens + r.put_back + std::exchange(refill_seconds, 0) * r.capacity / 60);
      const auto given = std::max<std::int64_t>(0, std::min<std::int64_t>(r.want, tokens));
      tokens -= given;
      return {r.key, given, tokens};
    }
    auto [left, fresh] = quota_left_.try_emplace(r.key, r.capacity);
    QuotaGrant& mine = quota_grants_[r.key][holder];
    mine.used += r.used;
    const auto back = std::min(r.put_back, mine.granted - mine.used);
    mine.granted -= back;
    left->second += back;
    const auto given = std::max<std::int64_t>(0, std::min<std::int64_t>(r.want, left->second));
    mine.granted += given;
    left->second -= given;
    return {r.key, given, static_cast<double>(left->second)};
  }
  std::vector<std::pair<RateLimiter*, std::string>> nodes_;
  std::map<std::int64_t, double> buckets_;
  std::map<BudgetKey, std::int64_t> quota_left_;
  std::map<BudgetKey, std::map<std::string, QuotaGrant>> quota_grants_;
};

Status admit(RateLimiter& limiter, const registry::AgreementEntry& limits, Clock::time_point at) {
  asio::io_context io;
  std::optional<Status> result;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result = co_await limiter.admit(limits, at); },
      asio::detached);
  io.run();
  return std::move(result).value();
}

RateLimiter::Options quick() {
  return {.sync_interval = milliseconds(10),
          .grant_wait = milliseconds(200),
          .grant_lifetime = milliseconds(2'500),
          .idle_after = milliseconds(1'000),
          .quota_recheck = milliseconds(10)};
}

TEST(RateLimiter, AFirstCallWaitsForAGrantAndTheBucketIsNeverOverdrawn) {
  MemoryLedger ledger;
  RateLimiter node(quick());
  ledger.join(node, "hub-1/a");
  const auto limits = agreement(60, std::nullopt);
  for (int i = 0; i < 60; ++i)
    ASSERT_TRUE(admit(node, limits, ledger.now).has_value()) << i;
  const auto refused = admit(node, limits, ledger.now);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kClientRateLimited);
  EXPECT_EQ(refused.error().retry_after_seconds, 1);  // one token a second
  EXPECT_NE(refused.error().detail.find("60 calls per minute through the hub"), std::string::npos);
}

TEST(RateLimiter, ThreeNodesWithUnevenLoadAdmitNoMoreThanTheLimitTogether) {
  MemoryLedger ledger;
  std::vector<std::unique_ptr<RateLimiter>> nodes;
  for (int n = 0; n < 3; ++n) {
    nodes.push_back(std::make_unique<RateLimiter>(quick()));
    ledger.join(*nodes.back(), "hub-" + std::to_string(n));
  }
  const auto limits = agreement(600, std::nullopt);
  int admitted = 0;
  for (int call = 0; call < 3'000; ++call) {
    // 80 % of the calls reach the first node, 10 % each of the others.
    const int n = call % 10 < 8 ? 0 : 1 + call % 2;
    if (admit(*nodes[n], limits, ledger.now).has_value())
      ++admitted;
    if (call % 50 == 49)
      ledger.sync_all();  // each node's periodic report and ask
  }
  EXPECT_LE(admitted, 600);
  // Refusals come only when the hub's budget is nearly spent, not while one
  // node sits on the rest.
  EXPECT_GE(admitted, 590);
}

TEST(RateLimiter, TheBucketRefillsAtTheAgreementsRate) {
  MemoryLedger ledger;
  RateLimiter node(quick());
  ledger.join(node, "hub-1/a");
  const auto limits = agreement(60, std::nullopt);
  for (int i = 0; i < 60; ++i)
    ASSERT_TRUE(admit(node, limits, ledger.now).has_value());
  ASSERT_FALSE(admit(node, limits, ledger.now).has_value());
  std::this_thread::sleep_for(milliseconds(20));  // past the refusal's own sync interval
  ledger.refill_seconds = 5;                      // five tokens
  ledger.sync(node);
  int admitted = 0;
  for (int i = 0; i < 10; ++i)
    admitted += admit(node, limits, ledger.now).has_value() ? 1 : 0;
  EXPECT_EQ(admitted, 5);
}

TEST(RateLimiter, DailyQuotaHoldsAcrossNodesAndResetsAtMidnightUtc) {
  MemoryLedger ledger;
  RateLimiter a(quick()), b(quick());
  ledger.join(a, "hub-1/a");
  ledger.join(b, "hub-2/b");
  const auto limits = agreement(std::nullopt, 100);
  ledger.now = Clock::time_point(seconds(86'400 * 20'000 + 86'000));  // 23:53:20 UTC
  int admitted = 0;
  for (int call = 0; call < 400; ++call) {
    if (admit(call % 4 == 0 ? b : a, limits, ledger.now).has_value())
      ++admitted;
    if (call % 20 == 19)
      ledger.sync_all();
  }
  EXPECT_LE(admitted, 100);
  EXPECT_GE(admitted, 95);
  std::this_thread::sleep_for(milliseconds(20));  // the refusal's own pause before asking again
  auto refused = admit(a, limits, ledger.now);
  ledger.sync_all();
  refused = admit(a, limits, ledger.now);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kClientQuotaExceeded);
  EXPECT_EQ(refused.error().retry_after_seconds, 400);
  EXPECT_TRUE(admit(a, limits, ledger.now + seconds(400)).has_value());  // a new day
}

TEST(RateLimiter, ADeadNodesUnusedQuotaGrantIsAdmittedByTheOthers) {
  MemoryLedger ledger;
  auto doomed = std::make_unique<RateLimiter>(quick());
  RateLimiter survivor(quick());
  ledger.join(*doomed, "hub-1/dies");
  ledger.join(survivor, "hub-2/lives");
  const auto limits = agreement(std::nullopt, 40);
  // The doomed node is busy enough to hold a quarter of the day's quota.
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(admit(*doomed, limits, ledger.now).has_value());
    ledger.sync(*doomed);
  }
  int survivor_admitted = 0;
  for (int i = 0; i < 40; ++i) {
    survivor_admitted += admit(survivor, limits, ledger.now).has_value() ? 1 : 0;
    ledger.sync(survivor);
  }
  const BudgetKey day{7, BudgetKind::kDailyQuota,
                      std::chrono::floor<std::chrono::days>(ledger.now).time_since_epoch().count()};
  EXPECT_EQ(ledger.left(day), 0);
  EXPECT_EQ(survivor_admitted, 40 - 25 - 10);  // the doomed node holds 10 unused
  ledger.declare_dead("hub-1/dies");           // what lt_quota_grant does after dead_after
  int after = 0;
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(milliseconds(60));
    after += admit(survivor, limits, ledger.now).has_value() ? 1 : 0;
    ledger.sync(survivor);
  }
  EXPECT_EQ(after, 10);
}

TEST(RateLimiter, AnIdleNodePutsBackWhatItHolds) {
  MemoryLedger ledger;
  auto options = quick();
  options.idle_after = milliseconds(30);
  RateLimiter node(options);
  ledger.join(node, "hub-1/a");
  const auto limits = agreement(600, std::nullopt);
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(admit(node, limits, ledger.now).has_value());
  ledger.sync(node);
  ASSERT_LT(ledger.left({7, BudgetKind::kRate, 0}), 550);  // it holds some for its next calls
  std::this_thread::sleep_for(milliseconds(60));
  ledger.sync(node);
  EXPECT_EQ(ledger.left({7, BudgetKind::kRate, 0}), 550);
}

TEST(RateLimiter, NoGrantInTimeIsServerLimitsUnavailable) {
  RateLimiter node(quick());  // no ledger answers
  const auto refused = admit(node, agreement(60, std::nullopt), Clock::now());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kServerLimitsUnavailable);
}

TEST(RateLimiter, ARateLimitedCallDoesNotUseTheQuota) {
  MemoryLedger ledger;
  RateLimiter node(quick());
  ledger.join(node, "hub-1/a");
  const auto limits = agreement(1, 2);
  EXPECT_TRUE(admit(node, limits, ledger.now).has_value());
  EXPECT_EQ(admit(node, limits, ledger.now).error().code, ErrorCode::kClientRateLimited);
  std::this_thread::sleep_for(milliseconds(20));
  ledger.refill_seconds = 60;
  EXPECT_TRUE(admit(node, limits, ledger.now).has_value());  // the second of two for the day
  std::this_thread::sleep_for(milliseconds(20));
  ledger.refill_seconds = 60;
  EXPECT_EQ(admit(node, limits, ledger.now).error().code, ErrorCode::kClientQuotaExceeded);
}

TEST(RateLimiter, AgreementsWithoutLimitsAreNeverRefused) {
  RateLimiter node(quick());
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(admit(node, agreement(std::nullopt, std::nullopt), Clock::now()).has_value());
}

}  // namespace
}  // namespace lienthong::policy

#include "lienthong/policy/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace lienthong::policy {
namespace {

using Clock = RateLimiter::Clock;
using std::chrono::seconds;

registry::AgreementEntry agreement(std::optional<int> per_minute, std::optional<int> per_day) {
  registry::AgreementEntry entry;
  entry.id = 7;
  entry.rate_limit_per_minute = per_minute;
  entry.daily_quota = per_day;
  return entry;
}

TEST(RateLimiter, TokenBucketAllowsABurstThenRefillsAtTheRate) {
  RateLimiter limiter;
  const auto limits = agreement(60, std::nullopt);  // one per second, bursts of 60
  const auto start = Clock::time_point(seconds(1'000'000));
  for (int i = 0; i < 60; ++i)
    ASSERT_TRUE(limiter.admit(limits, start).has_value()) << i;
  const auto refused = limiter.admit(limits, start);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kClientRateLimited);
  EXPECT_EQ(refused.error().retry_after_seconds, 1);
  EXPECT_TRUE(limiter.admit(limits, start + seconds(1)).has_value());
  EXPECT_FALSE(limiter.admit(limits, start + seconds(1)).has_value());
}

TEST(RateLimiter, DailyQuotaResetsAtMidnightUtc) {
  RateLimiter limiter;
  const auto limits = agreement(std::nullopt, 2);
  const auto evening = Clock::time_point(seconds(86'400 * 20'000 + 86'000));  // 23:53:20 UTC
  EXPECT_TRUE(limiter.admit(limits, evening).has_value());
  EXPECT_TRUE(limiter.admit(limits, evening).has_value());
  const auto refused = limiter.admit(limits, evening);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kClientQuotaExceeded);
  EXPECT_EQ(refused.error().retry_after_seconds, 400);
  EXPECT_TRUE(limiter.admit(limits, evening + seconds(400)).has_value());
}

TEST(RateLimiter, ARateLimitedCallDoesNotUseTheQuota) {
  RateLimiter limiter;
  const auto limits = agreement(1, 2);
  const auto now = Clock::time_point(seconds(86'400 * 20'000));
  EXPECT_TRUE(limiter.admit(limits, now).has_value());
  EXPECT_EQ(limiter.admit(limits, now).error().code, ErrorCode::kClientRateLimited);
  EXPECT_TRUE(limiter.admit(limits, now + seconds(60)).has_value());  // second of two per day
  EXPECT_EQ(limiter.admit(limits, now + seconds(120)).error().code,
            ErrorCode::kClientQuotaExceeded);
}

TEST(RateLimiter, AgreementsWithoutLimitsAreNeverRefused) {
  RateLimiter limiter;
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(limiter.admit(agreement(std::nullopt, std::nullopt), Clock::now()).has_value());
}

}  // namespace
}  // namespace lienthong::policy

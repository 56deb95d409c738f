#include "lienthong/policy/concurrency_limiter.hpp"

#include <gtest/gtest.h>

namespace lienthong::policy {
namespace {

TEST(ConcurrencyLimiter, RefusesPastTheLimitAndFreesASlotWhenARequestEnds) {
  ConcurrencyLimiter limiter(2);
  auto first = limiter.acquire(7);
  auto second = limiter.acquire(7);
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(limiter.acquire(7)) << "a third request of system 7 is over the limit";
  EXPECT_TRUE(limiter.acquire(8)) << "another system is not affected";
  EXPECT_EQ(limiter.in_flight(7), 2);

  first.reset();
  EXPECT_EQ(limiter.in_flight(7), 1);
  EXPECT_TRUE(limiter.acquire(7));
}

TEST(ConcurrencyLimiter, AMovedSlotIsGivenBackOnce) {
  ConcurrencyLimiter limiter(1);
  {
    auto slot = limiter.acquire(1);
    ASSERT_TRUE(slot);
    std::optional<ConcurrencyLimiter::Slot> moved(std::move(*slot));
    slot.reset();
    EXPECT_EQ(limiter.in_flight(1), 1) << "the moved-from slot must not release";
  }
  EXPECT_EQ(limiter.in_flight(1), 0);
}

}  // namespace
}  // namespace lienthong::policy

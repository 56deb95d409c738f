// The breaker's state machine on an explicit clock: closed until N failures
// in a row, open (refusing) for the cool-down, then one probe at a time.
#include "lienthong/adapters/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace lienthong::adapters {
namespace {

using namespace std::chrono_literals;
using Clock = CircuitBreakers::Clock;

class Breaker : public ::testing::Test {
 protected:
  CircuitBreakers breakers{{3, 1s}};
  Clock::time_point t0 = Clock::now();
  const std::string provider = "VN/GOV/X/SYS";

  void fail(int times, Clock::time_point at) {
    for (int i = 0; i < times; ++i) {
      ASSERT_TRUE(breakers.admit(provider, at));
      breakers.record(provider, false, at);
    }
  }
  BreakerState state() const { return breakers.report().front().state; }
};

TEST_F(Breaker, OpensAfterTheThresholdOfConsecutiveFailuresOnly) {
  fail(2, t0);
  breakers.record(provider, true, t0);  // a success resets the count
  fail(2, t0);
  EXPECT_EQ(state(), BreakerState::kClosed);
  fail(1, t0);
  EXPECT_EQ(state(), BreakerState::kOpen);
  EXPECT_FALSE(breakers.admit(provider, t0 + 999ms));
  EXPECT_EQ(breakers.report().front().rejected_calls, 1u);
  EXPECT_EQ(breakers.seconds_until_probe(provider, t0 + 100ms), 1);
}

TEST_F(Breaker, LetsOneProbeThroughAfterTheCoolDownAndItsOutcomeDecides) {
  fail(3, t0);
  EXPECT_TRUE(breakers.admit(provider, t0 + 1s));
  EXPECT_EQ(state(), BreakerState::kHalfOpen);
  EXPECT_FALSE(breakers.admit(provider, t0 + 1s)) << "one probe at a time";
  breakers.record(provider, false, t0 + 1s);
  EXPECT_EQ(state(), BreakerState::kOpen) << "a failed probe opens it again";
  EXPECT_FALSE(breakers.admit(provider, t0 + 1500ms));

  EXPECT_TRUE(breakers.admit(provider, t0 + 2s));
  breakers.record(provider, true, t0 + 2s);
  EXPECT_EQ(state(), BreakerState::kClosed);
  EXPECT_TRUE(breakers.admit(provider, t0 + 2s));
}

TEST_F(Breaker, AProbeThatNeverReportsDoesNotHoldItHalfOpenForEver) {
  fail(3, t0);
  EXPECT_TRUE(breakers.admit(provider, t0 + 1s));  // its caller goes away
  EXPECT_FALSE(breakers.admit(provider, t0 + 1500ms));
  EXPECT_TRUE(breakers.admit(provider, t0 + 2s));
}

TEST_F(Breaker, AReleasedProbeSlotIsFreeAtOnce) {
  fail(3, t0);
  EXPECT_TRUE(breakers.admit(provider, t0 + 1s));
  breakers.release(provider);  // e.g. the request could not be mapped
  EXPECT_TRUE(breakers.admit(provider, t0 + 1s));
  EXPECT_EQ(state(), BreakerState::kHalfOpen);
}

TEST_F(Breaker, ProvidersAreIndependentAndAThresholdOfZeroDisablesIt) {
  fail(3, t0);
  EXPECT_TRUE(breakers.admit("VN/GOV/Y/OTHER", t0));
  CircuitBreakers off({0, 1s});
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(off.admit(provider, t0));
    off.record(provider, false, t0);
  }
  EXPECT_TRUE(off.report().empty());
}

}  // namespace
}  // namespace lienthong::adapters

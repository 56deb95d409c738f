// When a failed delivery is tried again: exponential, capped, jittered; and
// the failures that make a message dead at once.
#include "delivery/retry_policy.hpp"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

namespace lienthong::delivery {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, BackoffDoublesPerAttemptUpToTheCapWithJitterBelowIt) {
  std::minstd_rand random(7);
  const milliseconds initial(1000);
  const milliseconds cap(10'000);
  for (int attempts = 1; attempts <= 8; ++attempts) {
    const auto full = std::min(initial * (1 << (attempts - 1)), cap);
    std::vector<milliseconds> waits;
    for (int i = 0; i < 500; ++i)
      waits.push_back(backoff(attempts, initial, cap, random));
    const auto [low, high] = std::minmax_element(waits.begin(), waits.end());
    EXPECT_GE(*low, full / 2) << attempts;
    EXPECT_LE(*high, full) << attempts;
    // Spread over the window, so messages failed together come back apart.
    EXPECT_GT(*high - *low, full / 4) << attempts;
  }
}

TEST(RetryPolicy, AHugeAttemptCountStaysAtTheCap) {
  std::minstd_rand random(7);
  EXPECT_LE(backoff(1'000'000, milliseconds(50), milliseconds(300'000), random),
            milliseconds(300'000));
}

TEST(RetryPolicy, OnlyFailuresTimeCanCureAreRetried) {
  for (const auto code : {ErrorCode::kProviderUnreachable, ErrorCode::kProviderTimeout,
                          ErrorCode::kProviderBadResponse, ErrorCode::kProviderError,
                          ErrorCode::kProviderUnavailable, ErrorCode::kClientUnknownService,
                          ErrorCode::kServerAuditUnavailable, ErrorCode::kServerRegistryUnavailable,
                          // Another node, or this one with the right key, can make the call.
                          ErrorCode::kServerCredentialsUnavailable})
    EXPECT_TRUE(retriable(code)) << describe(code).code;
  // Dead at once: no attempt can succeed until a person changes something.
  for (const auto code : {ErrorCode::kClientNoAgreement, ErrorCode::kClientAgreementExpired,
                          ErrorCode::kClientUnauthenticated, ErrorCode::kClientMappingFailed,
                          ErrorCode::kProviderMappingFailed, ErrorCode::kProviderSchemaViolation,
                          ErrorCode::kClientBadRequest})
    EXPECT_FALSE(retriable(code)) << describe(code).code;
}

}  // namespace
}  // namespace lienthong::delivery

#include "retry_policy.hpp"

#include <algorithm>

namespace lienthong::delivery {

bool retriable(ErrorCode code) {
  switch (code) {
    case ErrorCode::kProviderUnreachable:
    case ErrorCode::kProviderTimeout:
    case ErrorCode::kProviderBadResponse:
    case ErrorCode::kProviderError:
    case ErrorCode::kProviderUnavailable:
    case ErrorCode::kClientUnknownService:  // the service may be back in the registry
    case ErrorCode::kServerAuditUnavailable:
    case ErrorCode::kServerRegistryUnavailable:     // the node is still loading it
    case ErrorCode::kServerCredentialsUnavailable:  // another node's key, or a fixed one
      return true;
    default:
      return false;
  }
}

std::chrono::milliseconds backoff(int attempts, std::chrono::milliseconds initial,
                                  std::chrono::milliseconds max, std::minstd_rand& random) {
  auto delay = initial;
  for (int i = 1; i < attempts && delay < max; ++i)
    delay *= 2;
  delay = std::min(delay, max);
  std::uniform_int_distribution<std::int64_t> jitter(delay.count() / 2, delay.count());
  return std::chrono::milliseconds(jitter(random));
}

}  // namespace lienthong::delivery

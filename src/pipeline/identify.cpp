// Stage 1: who is calling, and may it start one more request on this node.
#include "lienthong/pipeline/stages.hpp"
#include "lienthong/policy/authenticator.hpp"

namespace lienthong::pipeline {

Result<const registry::SystemEntry*> identify(const registry::Snapshot* snapshot,
                                              const net::HttpRequest& request) {
  if (snapshot == nullptr)
    return make_error(ErrorCode::kServerRegistryUnavailable, "the registry is not loaded yet");
  return policy::authenticate(*snapshot, request);
}

Result<policy::ConcurrencyLimiter::Slot> hold_slot(policy::ConcurrencyLimiter& limiter,
                                                   const registry::SystemEntry& caller) {
  auto slot = limiter.acquire(caller.id);
  if (!slot) {
    Error error = make_error(ErrorCode::kClientConcurrencyLimit,
                             "this system already has the maximum number of requests in progress");
    error.retry_after_seconds = 1;
    return error;
  }
  return std::move(*slot);
}

}  // namespace lienthong::pipeline

#include "lienthong/federation/replay_guard.hpp"

namespace lienthong::federation {

ReplayGuard::Use ReplayGuard::use(const std::string& id, TimePoint expires_at, TimePoint now) {
  std::lock_guard lock(mutex_);
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    seen_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  if (seen_.contains(id))
    return Use::kReplay;
  if (seen_.size() >= capacity_)
    return Use::kFull;
  seen_.emplace(id, expires_at);
  by_expiry_.emplace(expires_at, id);
  return Use::kFirst;
}

}  // namespace lienthong::federation

#include "lienthong/policy/concurrency_limiter.hpp"

#include <utility>

namespace lienthong::policy {

ConcurrencyLimiter::Slot::Slot(ConcurrencyLimiter* owner, std::int64_t system_id)
    : owner_(owner), system_id_(system_id) {}

ConcurrencyLimiter::Slot::Slot(Slot&& other) noexcept
    : owner_(other.owner_), system_id_(other.system_id_) {
  other.owner_ = nullptr;
}

ConcurrencyLimiter::Slot& ConcurrencyLimiter::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    if (owner_ != nullptr)
      owner_->release(system_id_);
    owner_ = std::exchange(other.owner_, nullptr);
    system_id_ = other.system_id_;
  }
  return *this;
}

ConcurrencyLimiter::Slot::~Slot() {
  if (owner_ != nullptr)
    owner_->release(system_id_);
}

ConcurrencyLimiter::ConcurrencyLimiter(int max_per_system) : max_per_system_(max_per_system) {}

std::optional<ConcurrencyLimiter::Slot> ConcurrencyLimiter::acquire(std::int64_t system_id) {
  std::lock_guard lock(mutex_);
  int& count = in_flight_[system_id];
  if (count >= max_per_system_)
    return std::nullopt;
  ++count;
  return Slot(this, system_id);
}

int ConcurrencyLimiter::in_flight(std::int64_t system_id) {
  std::lock_guard lock(mutex_);
  const auto found = in_flight_.find(system_id);
  return found == in_flight_.end() ? 0 : found->second;
}

void ConcurrencyLimiter::release(std::int64_t system_id) {
  std::lock_guard lock(mutex_);
  const auto found = in_flight_.find(system_id);
  if (found != in_flight_.end() && --found->second <= 0)
    in_flight_.erase(found);
}

}  // namespace lienthong::policy

#pragma once
// Holds the current registry snapshot. Readers take a shared_ptr and keep a
// consistent view for a whole request; a reload swaps the pointer atomically.

#include <atomic>
#include <memory>

#include "lienthong/registry/snapshot.hpp"

namespace lienthong::registry {

class SnapshotStore {
 public:
  // Null until the first successful load.
  SnapshotPtr current() const { return current_.load(std::memory_order_acquire); }
  void replace(SnapshotPtr next) { current_.store(std::move(next), std::memory_order_release); }

 private:
  std::atomic<SnapshotPtr> current_;
};

}  // namespace lienthong::registry

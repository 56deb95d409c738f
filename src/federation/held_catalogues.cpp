#include "lienthong/federation/held_catalogues.hpp"

namespace lienthong::federation {

const nlohmann::json* HeldCatalogue::find(std::string_view provider, std::string_view service,
                                          std::string_view version) const {
  const std::string id = std::string(provider) + "/" + std::string(service);
  for (const auto& entry : services) {
    if (!entry.is_object())
      continue;
    const auto entry_id = entry.find("id");
    const auto entry_version = entry.find("version");
    if (entry_id != entry.end() && entry_version != entry.end() && *entry_id == id &&
        *entry_version == version)
      return &entry;
  }
  return nullptr;
}

void HeldCatalogues::hold(std::int64_t peer_id, HeldCatalogue catalogue) {
  auto held = std::make_shared<const HeldCatalogue>(std::move(catalogue));
  std::lock_guard lock(mutex_);
  auto& slot = held_[peer_id];
  // Never replace a newer version with an older one (two pulls racing).
  if (!slot || slot->version <= held->version)
    slot = std::move(held);
}

std::shared_ptr<const HeldCatalogue> HeldCatalogues::valid(std::int64_t peer_id,
                                                           TimePoint now) const {
  std::lock_guard lock(mutex_);
  const auto found = held_.find(peer_id);
  if (found == held_.end() || found->second->expires_at <= now)
    return nullptr;
  return found->second;
}

}  // namespace lienthong::federation

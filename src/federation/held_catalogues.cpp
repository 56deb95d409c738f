#include "lienthong/federation/held_catalogues.hpp"

#include "lienthong/schema/json_schema.hpp"

namespace lienthong::federation {
namespace {

std::string entry_key(std::string_view provider_service, std::string_view version) {
  return std::string(provider_service) + "/" + std::string(version);
}

// A peer's schemas are its own documents: compiled with the same limits as
// ours, references to other documents refused; one that does not compile is
// left to the provider's hub.
void compile_request_schemas(HeldCatalogue& catalogue) {
  for (const auto& entry : catalogue.services) {
    if (!entry.is_object())
      continue;
    const auto id = entry.find("id");
    const auto version = entry.find("version");
    const auto document = entry.find("request_schema");
    if (id == entry.end() || !id->is_string() || version == entry.end() || !version->is_string() ||
        document == entry.end() || document->is_null())
      continue;
    auto compiled = schema::JsonSchema::compile(*document);
    if (compiled.has_value()) {
      catalogue.request_schemas[entry_key(id->get<std::string>(), version->get<std::string>())] =
          std::move(compiled).value();
    }
  }
}

}  // namespace

const nlohmann::json* HeldCatalogue::find(std::string_view provider, std::string_view service,
                                          std::string_view version) const {
  const std::string id = std::string(provider) + "/" + std::string(service);
  const nlohmann::json* found = nullptr;
  for (const auto& entry : services) {
    if (!entry.is_object())
      continue;
    const auto entry_id = entry.find("id");
    const auto entry_version = entry.find("version");
    if (entry_id == entry.end() || entry_version == entry.end() || *entry_id != id ||
        !entry_version->is_string())
      continue;
    if (*entry_version == version)
      return &entry;
    if (version.empty()) {
      if (found != nullptr)
        return nullptr;  // more than one: the caller names one
      found = &entry;
    }
  }
  return found;
}

bool HeldCatalogue::takes_async(std::string_view provider, std::string_view service,
                                std::string_view version) const {
  const nlohmann::json* entry = find(provider, service, version);
  if (entry == nullptr)
    return false;
  const auto async = entry->find("async");
  return async != entry->end() && async->is_boolean() && async->get<bool>();
}

const schema::JsonSchema* HeldCatalogue::request_schema(std::string_view provider,
                                                        std::string_view service,
                                                        std::string_view version) const {
  const auto found =
      request_schemas.find(entry_key(std::string(provider) + "/" + std::string(service), version));
  return found == request_schemas.end() ? nullptr : found->second.get();
}

void HeldCatalogues::hold(std::int64_t peer_id, HeldCatalogue catalogue) {
  compile_request_schemas(catalogue);
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

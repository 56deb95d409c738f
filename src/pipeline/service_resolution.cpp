// Stage 2: the service a call names, from the registry snapshot.
#include "lienthong/pipeline/stages.hpp"

namespace lienthong::pipeline {

Result<const registry::ServiceEntry*> resolve_service(const registry::Snapshot& snapshot,
                                                      std::string_view key) {
  const registry::ServiceEntry* service = snapshot.service(key);
  if (service == nullptr || !service->provider->endpoint)
    return make_error(ErrorCode::kClientUnknownService, "no active service " + std::string(key));
  return service;
}

Result<const registry::ServiceEntry*> resolve_service_version(const registry::Snapshot& snapshot,
                                                              std::string_view provider_and_service,
                                                              std::string_view version,
                                                              std::string_view how_to_name_one) {
  const auto versions = snapshot.service_versions(provider_and_service);
  const registry::ServiceEntry* service = nullptr;
  for (const auto* candidate : versions) {
    if (version.empty() ? versions.size() == 1 : candidate->service_id.version == version)
      service = candidate;
  }
  if (service != nullptr && service->provider->endpoint)
    return service;
  if (versions.size() > 1 && version.empty()) {
    return make_error(ErrorCode::kClientUnknownService,
                      "several versions of " + std::string(provider_and_service) + " are active; " +
                          std::string(how_to_name_one));
  }
  return make_error(ErrorCode::kClientUnknownService,
                    "no active service " + std::string(provider_and_service));
}

}  // namespace lienthong::pipeline

#include "catalog_document.hpp"

#include <nlohmann/json.hpp>

#include "lienthong/core/json_text.hpp"
#include "lienthong/core/timestamp.hpp"

namespace lienthong::exchange {

std::string catalog_json(const registry::Snapshot& snapshot, const registry::SystemEntry& caller,
                         std::chrono::system_clock::time_point now, const nlohmann::json* remote) {
  nlohmann::json services = nlohmann::json::array();
  for (const auto& agreement : snapshot.agreements()) {
    if (agreement.consumer_system_id != caller.id || !agreement.valid_at(now))
      continue;
    for (const auto& service : snapshot.services()) {
      if (service.provider_system_id != agreement.provider_system_id ||
          service.service_id.service_code != agreement.service_code ||
          !agreement.covers_version(service.service_id.version) || !service.provider->endpoint)
        continue;
      nlohmann::json entry{{"id", service.key},
                           {"provider", service.provider->key},
                           {"service", service.service_id.service_code},
                           {"version", service.service_id.version},
                           {"name", service.name},
                           {"purposeRequired", service.require_purpose},
                           {"hasRequestSchema", service.request_schema != nullptr},
                           {"hasResponseSchema", service.response_schema != nullptr},
                           {"agreementId", agreement.id},
                           {"validUntil", nullptr}};
      if (agreement.valid_until)
        entry["validUntil"] = to_rfc3339(*agreement.valid_until);
      services.push_back(std::move(entry));
    }
  }
  nlohmann::json document{{"services", std::move(services)}};
  if (remote != nullptr)
    document["remoteServices"] = *remote;
  return to_json_text(document);
}

}  // namespace lienthong::exchange

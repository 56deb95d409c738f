#include "xroad_metaservices.hpp"

#include <boost/url/parse_query.hpp>
#include <nlohmann/json.hpp>

#include "lienthong/core/json_text.hpp"

namespace lienthong::exchange::xroad {
namespace {

using nlohmann::json;

json endpoint(std::string_view method, std::string_view path) {
  return json{{"method", method}, {"path", path}};
}

json service_json(const registry::ServiceEntry& service, json endpoints) {
  const auto& provider = service.provider->system_id;
  return json{{"xroad_instance", provider.instance},
              {"member_class", provider.member_class},
              {"member_code", provider.member_code},
              {"subsystem_code", provider.system_code},
              {"service_code", service.service_id.service_code},
              {"service_version", service.service_id.version},
              {"object_type", "SERVICE"},
              {"service_type", "REST"},
              {"endpoint_list", std::move(endpoints)}};
}

// What one agreement allows, as X-Road endpoints: each method with each path
// pattern; "*" is any method and "**" any path, as in X-Road.
json agreement_endpoints(const registry::AgreementEntry& agreement) {
  static const std::vector<std::string> kAnyMethod{"*"};
  static const std::vector<std::string> kAnyPath{"**"};
  const auto& methods = agreement.allowed_methods.empty() ? kAnyMethod : agreement.allowed_methods;
  const auto& paths = agreement.path_patterns.empty() ? kAnyPath : agreement.path_patterns;
  json endpoints = json::array();
  for (const auto& method : methods) {
    for (const auto& path : paths)
      endpoints.push_back(endpoint(method, path));
  }
  return endpoints;
}

}  // namespace

std::string methods_json(const registry::Snapshot& snapshot, const registry::SystemEntry& provider,
                         const registry::SystemEntry* caller,
                         std::chrono::system_clock::time_point now) {
  json services = json::array();
  for (const auto& service : snapshot.services()) {
    if (service.provider_system_id != provider.id || !service.provider->endpoint)
      continue;
    if (caller == nullptr) {
      services.push_back(service_json(service, json::array({endpoint("*", "**")})));
      continue;
    }
    json endpoints = json::array();
    for (const auto* agreement : snapshot.agreements(*caller, service)) {
      if (!agreement->valid_at(now) || !agreement->covers_version(service.service_id.version))
        continue;
      for (auto& allowed : agreement_endpoints(*agreement))
        endpoints.push_back(std::move(allowed));
    }
    if (!endpoints.empty())
      services.push_back(service_json(service, std::move(endpoints)));
  }
  return json{{"service", std::move(services)}}.dump(-1, ' ', false,
                                                     json::error_handler_t::replace);
}

std::string query_parameter(std::string_view query, std::string_view name) {
  const auto params = boost::urls::parse_query(query);
  if (!params.has_value())
    return {};
  for (const auto& param : *params) {
    if (param.has_value && param.key.decode() == name)
      return param.value.decode();
  }
  return {};
}

}  // namespace lienthong::exchange::xroad

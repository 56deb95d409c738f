#include <nlohmann/json.hpp>

#include "lienthong/demo/demo_provider.hpp"

#include "claims_registry.hpp"
#include "lookup_handler.hpp"

namespace lienthong::demo {

std::shared_ptr<net::HttpHandler> make_population_registry(const DemoOptions& options) {
  return std::make_shared<detail::LookupHandler>(
      "/citizens/lookup", "idNumber",
      [](std::string_view id) {
        return id.size() == 12 && id.find_first_not_of("0123456789") == std::string_view::npos;
      },
      [citizens = Citizens(options.data)](const std::string& id) -> std::optional<nlohmann::json> {
        const auto index = citizens.find(id);
        if (!index)
          return std::nullopt;
        return citizens.record(*index);
      });
}

std::shared_ptr<net::HttpHandler> make_business_registry(const DemoOptions& options) {
  return std::make_shared<detail::LookupHandler>(
      "/doanh-nghiep/tra-cuu", "maSoThue", valid_tax_code,
      [enterprises =
           Enterprises(options.data)](const std::string& code) -> std::optional<nlohmann::json> {
        const auto index = enterprises.find(code);
        if (!index)
          return std::nullopt;
        return enterprises.registry_record(*index);
      });
}

std::shared_ptr<net::HttpHandler> make_tax_system(const DemoOptions& options) {
  return std::make_shared<detail::LookupHandler>(
      "/tax/v2/taxpayers/status", "taxCode", valid_tax_code,
      [enterprises =
           Enterprises(options.data)](const std::string& code) -> std::optional<nlohmann::json> {
        const auto index = enterprises.find(code);
        if (!index)
          return std::nullopt;
        return enterprises.tax_record(*index);
      });
}

std::shared_ptr<net::HttpHandler> make_claims_system(const DemoOptions& options) {
  return std::make_shared<detail::ClaimsRegistry>(options.claims_journal);
}

std::vector<std::string> demo_system_names() {
  return {"population", "business", "tax", "land", "claims"};
}

std::shared_ptr<net::HttpHandler> make_demo_system(const std::string& name,
                                                   const DemoOptions& options) {
  if (name == "population")
    return make_population_registry(options);
  if (name == "business")
    return make_business_registry(options);
  if (name == "tax")
    return make_tax_system(options);
  if (name == "land")
    return make_land_registry(options);
  if (name == "claims")
    return make_claims_system(options);
  return nullptr;
}

}  // namespace lienthong::demo

#include <functional>

#include <nlohmann/json.hpp>

#include "lienthong/demo/demo_provider.hpp"

#include "claims_registry.hpp"
#include "lookup_handler.hpp"

namespace lienthong::demo {

namespace {

// A lookup endpoint over one of the datasets: `find` maps a key to its index,
// `record` an index to the answer in the provider's own shape.
template <class Dataset, class Record>
std::shared_ptr<net::HttpHandler> dataset_lookup(std::string path, std::string field,
                                                 std::function<bool(std::string_view)> valid,
                                                 Dataset dataset, Record record) {
  return std::make_shared<detail::LookupHandler>(
      std::move(path), std::move(field), std::move(valid),
      [dataset, record](const std::string& key) -> std::optional<nlohmann::json> {
        const auto index = dataset.find(key);
        if (!index)
          return std::nullopt;
        return (dataset.*record)(*index);
      });
}

bool twelve_digits(std::string_view id) {
  return id.size() == 12 && id.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::shared_ptr<net::HttpHandler> make_population_registry(const DemoOptions& options) {
  return dataset_lookup("/citizens/lookup", "idNumber", twelve_digits, Citizens(options.data),
                        &Citizens::record);
}

std::shared_ptr<net::HttpHandler> make_business_registry(const DemoOptions& options) {
  return dataset_lookup("/doanh-nghiep/tra-cuu", "maSoThue", valid_tax_code,
                        Enterprises(options.data), &Enterprises::registry_record);
}

std::shared_ptr<net::HttpHandler> make_tax_system(const DemoOptions& options) {
  return dataset_lookup("/tax/v2/taxpayers/status", "taxCode", valid_tax_code,
                        Enterprises(options.data), &Enterprises::tax_record);
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

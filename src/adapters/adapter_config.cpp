#include "lienthong/adapters/adapter_config.hpp"

#include <nlohmann/json.hpp>

#include "lienthong/mapping/field_mapping.hpp"

#include "soap/soap_binding.hpp"

namespace lienthong::adapters {

std::string check_adapter_config(const nlohmann::json& config) {
  if (config.contains("mapping")) {
    const auto errors = mapping::check_mapping(config["mapping"]);
    if (!errors.empty())
      return "mapping" + errors.front().pointer + ": " + errors.front().detail;
  }
  // One line per adapter with a section of its own.
  if (config.contains("soap"))
    return soap::check_soap_binding(config["soap"]);
  return "";
}

}  // namespace lienthong::adapters

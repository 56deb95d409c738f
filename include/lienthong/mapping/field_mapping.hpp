#pragma once
// Declarative field mapping between the standard JSON a consumer speaks and
// a provider's own JSON shape: the heart of the REST adapter, stored with
// the service in the registry (adapter_config.mapping) and compiled once per
// registry snapshot.
//
// A mapping is {"request": [rule...], "response": [rule...], "lookups":
// {"name": {"from": "to", ...}}}. The output of a direction is built only
// from its rules (what no rule names is dropped). A rule:
//   "to"       JSON pointer in the output (required, not "")
//   "from"     JSON pointer in the input ("" is the whole input), or
//   "value"    a constant instead
//   "convert"  optional: "date-iso-to-dmy" (2024-03-05 -> 05/03/2024),
//              "date-dmy-to-iso", "number-to-string", "string-to-number",
//              "lookup" (with "table": a name in "lookups"; an unknown code fails)
//   "required" optional, default false: a missing input fails the mapping
//              instead of leaving the output field out
//   "each"     optional: "from" is an array and each element is mapped by
//              these nested rules (pointers relative to the element)

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::mapping {

class FieldMapping {
 public:
  // The rules of one direction ("request" or "response") of `mapping`.
  // Client.InvalidInput with a pointer into the mapping for each problem.
  static Result<FieldMapping> compile(const nlohmann::json& mapping, const std::string& direction);

  ~FieldMapping();
  FieldMapping(FieldMapping&&) noexcept;
  FieldMapping& operator=(FieldMapping&&) noexcept;

  // The mapped document; on failure the error names the field and why, with
  // `failure` as its code (Client.MappingFailed for requests,
  // Provider.MappingFailed for responses). Never throws.
  Result<nlohmann::json> apply(const nlohmann::json& input, ErrorCode failure) const;

 private:
  struct Rules;
  explicit FieldMapping(std::unique_ptr<Rules> rules);
  std::unique_ptr<Rules> rules_;
};

// Checks a whole adapter_config.mapping (both directions) for the admin
// API: the field errors, empty when it compiles.
std::vector<FieldError> check_mapping(const nlohmann::json& mapping);

}  // namespace lienthong::mapping

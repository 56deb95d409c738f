#pragma once
// Registry files are JSON or YAML; both become the same JSON document here,
// so everything after parsing (validation, apply) has one input format.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::admin {

// A document starting with '{' is JSON; anything else is YAML. In YAML,
// unquoted true/false, null/~ and numbers are typed; quoted scalars stay strings.
Result<nlohmann::json> parse_registry_document(std::string_view text);

// The document as YAML (block style), for `registry export --format yaml`.
std::string to_yaml(const nlohmann::json& document);

}  // namespace lienthong::admin

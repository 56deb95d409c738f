#pragma once
// JSON bodies as adapters handle them: parsed once, depth-checked first
// (parsing and mapping recurse), and mapped when the service has a mapping.

#include <string_view>

#include <nlohmann/json.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::mapping {
class FieldMapping;
}

namespace lienthong::adapters {

// `failure` is the code of every error: Client.MappingFailed for a request,
// Provider.* for a provider's answer.
Result<nlohmann::json> parse_json_body(std::string_view text, ErrorCode failure, int max_depth);

// The document mapped by `mapping`, or unchanged when `mapping` is null.
Result<nlohmann::json> map_json(nlohmann::json document, const mapping::FieldMapping* mapping,
                                ErrorCode failure);

std::string dump_json(const nlohmann::json& document);

}  // namespace lienthong::adapters

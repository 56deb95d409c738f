#pragma once
// JSON bodies as adapters map them (parsed with lienthong/core/json_text.hpp).

#include <nlohmann/json.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::mapping {
class FieldMapping;
}

namespace lienthong::adapters {

// The document mapped by `mapping`, or unchanged when `mapping` is null.
Result<nlohmann::json> map_json(nlohmann::json document, const mapping::FieldMapping* mapping,
                                ErrorCode failure);

}  // namespace lienthong::adapters

#include "json_body.hpp"

#include "lienthong/mapping/field_mapping.hpp"

namespace lienthong::adapters {

using nlohmann::json;

Result<json> map_json(json document, const mapping::FieldMapping* mapping, ErrorCode failure) {
  if (mapping == nullptr)
    return document;
  return mapping->apply(document, failure);
}

}  // namespace lienthong::adapters

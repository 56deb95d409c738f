#include "json_body.hpp"

#include "lienthong/mapping/field_mapping.hpp"
#include "lienthong/policy/json_limits.hpp"

namespace lienthong::adapters {

using nlohmann::json;

Result<json> parse_json_body(std::string_view text, ErrorCode failure, int max_depth) {
  if (policy::exceeds_json_depth(text, max_depth))
    return make_error(failure,
                      "the body nests deeper than " + std::to_string(max_depth) + " levels");
  auto document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded())
    return make_error(failure, "the body is not JSON");
  return document;
}

Result<json> map_json(json document, const mapping::FieldMapping* mapping, ErrorCode failure) {
  if (mapping == nullptr)
    return document;
  return mapping->apply(document, failure);
}

std::string dump_json(const json& document) {
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace lienthong::adapters

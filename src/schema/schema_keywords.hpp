#pragma once
// Draft 7's vocabulary as the compiler reads it: which keywords hold
// subschemas, and the values "type" and the size keywords take.

#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lienthong::schema::detail {

// Keywords whose value is one schema, an array of schemas, or an object of schemas.
inline constexpr std::string_view kSchemaKeywords[] = {"additionalItems",
                                                       "additionalProperties",
                                                       "contains",
                                                       "propertyNames",
                                                       "not",
                                                       "if",
                                                       "then",
                                                       "else"};
inline constexpr std::string_view kSchemaArrayKeywords[] = {"allOf", "anyOf", "oneOf"};
inline constexpr std::string_view kSchemaMapKeywords[] = {"properties", "patternProperties",
                                                          "definitions"};

// A JSON number that is a non-negative integer (5 and 5.0 alike), else nothing.
std::optional<std::uint64_t> non_negative_integer(const nlohmann::json& value);

// The type bit (schema_graph.hpp) of a "type" name, else nothing.
std::optional<std::uint8_t> type_bit(const nlohmann::json& name);

}  // namespace lienthong::schema::detail

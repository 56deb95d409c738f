#include "schema_keywords.hpp"

#include <cmath>
#include <utility>

#include "schema_graph.hpp"

namespace lienthong::schema::detail {

using nlohmann::json;

std::optional<std::uint64_t> non_negative_integer(const json& value) {
  if (value.is_number_unsigned())
    return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (d >= 0 && std::trunc(d) == d && d < 1.8e19)
      return static_cast<std::uint64_t>(d);
  }
  return std::nullopt;
}

std::optional<std::uint8_t> type_bit(const json& name) {
  static constexpr std::pair<std::string_view, std::uint8_t> kTypes[] = {
      {"null", kNullType},      {"boolean", kBooleanType}, {"object", kObjectType},
      {"array", kArrayType},    {"number", kNumberType},   {"string", kStringType},
      {"integer", kIntegerType}};
  if (!name.is_string())
    return std::nullopt;
  for (const auto& [type, bit] : kTypes) {
    if (name.get_ref<const std::string&>() == type)
      return bit;
  }
  return std::nullopt;
}

}  // namespace lienthong::schema::detail

#pragma once
// Small helpers shared by the admin store's writes and its log queries.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/core/error.hpp"

namespace lienthong::admin {

// Keyset pages: ?limit= (default and maximum) and ?after=.
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// One Client.InvalidInput listing every bad field (at most 50).
inline Error invalid(std::vector<FieldError> fields) {
  Error error{ErrorCode::kClientInvalidInput,
              std::to_string(fields.size()) + " invalid field(s); see errors",
              {}};
  if (fields.size() > 50)
    fields.resize(50);
  error.fields = std::move(fields);
  return error;
}

// {"items": [...], "next_after": id or null} from rows of (id, JSON text)
// fetched with LIMIT limit + 1: the extra row only says there is more.
inline nlohmann::json keyset_page(const pqxx::result& rows, int limit) {
  nlohmann::json page{{"items", nlohmann::json::array()}, {"next_after", nullptr}};
  for (std::size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i)
    page["items"].push_back(nlohmann::json::parse(rows[i][1].as<std::string>()));
  if (static_cast<int>(rows.size()) > limit)
    page["next_after"] = rows[limit - 1][0].as<std::int64_t>();
  return page;
}

inline std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    return std::nullopt;
  return value;
}

}  // namespace lienthong::admin

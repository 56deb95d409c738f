#pragma once
// Small helpers shared by the admin store's writes and its log queries.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

inline std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    return std::nullopt;
  return value;
}

}  // namespace lienthong::admin

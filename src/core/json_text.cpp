#include "lienthong/core/json_text.hpp"

#include "lienthong/core/json_parse.hpp"

namespace lienthong {

bool exceeds_json_depth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth)
          return true;
        break;
      case ']':
      case '}':
        --depth;
        break;
      default:
        break;
    }
  }
  return false;
}

Result<nlohmann::json> parse_json_text(std::string_view text, int max_depth, ErrorCode failure,
                                       std::string_view subject) {
  auto reading = parse_json(text, max_depth);
  if (reading.too_deep) {
    return make_error(failure, std::string(subject) + " nests deeper than " +
                                   std::to_string(max_depth) + " levels");
  }
  if (!reading.document.has_value())
    return make_error(failure, std::string(subject) + " is not JSON");
  return std::move(*reading.document);
}

std::string to_json_text(const nlohmann::json& document) {
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lienthong

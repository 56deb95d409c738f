// libFuzzer target: a member's ECMA-262 pattern translated for RE2 and run
// on a string. Input: pattern, a NUL byte, the text (both UTF-8, as JSON
// strings in the hub always are).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lienthong/core/utf8.hpp"
#include "lienthong/schema/json_schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find('\0');
  if (split == std::string_view::npos)
    return 0;
  const auto pattern = input.substr(0, split);
  const auto text = input.substr(split + 1);
  if (lienthong::find_invalid_utf8(pattern) || lienthong::find_invalid_utf8(text))
    return 0;
  auto compiled = lienthong::schema::JsonSchema::compile({{"pattern", std::string(pattern)}});
  if (!compiled.has_value())
    return 0;
  (void)compiled.value()->validate(nlohmann::json(std::string(text)));
  return 0;
}

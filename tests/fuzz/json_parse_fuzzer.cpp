// libFuzzer target, differential: parse_json (simdjson, nlohmann building
// the tree) must accept exactly the texts nlohmann::json::parse accepts and
// read the same values from them. Any difference traps. dump() with the
// strict error handler also traps on a string that is not UTF-8, which
// neither parser may let into a tree.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lienthong/core/json_parse.hpp"
#include "lienthong/core/json_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (lienthong::exceeds_json_depth(text, 64))
    return 0;  // callers bound the nesting before parsing (json_parse.hpp)
  const auto reference = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto ours = lienthong::parse_json(text);
  if (ours.has_value() == reference.is_discarded())
    __builtin_trap();
  if (ours.has_value() && (*ours != reference || ours->dump() != reference.dump()))
    __builtin_trap();
  return 0;
}

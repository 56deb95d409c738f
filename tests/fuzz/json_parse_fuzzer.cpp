// libFuzzer target, differential: parse_json (simdjson, the depth bound
// checked while nlohmann's tree is built) must answer exactly as the depth
// scan followed by nlohmann::json::parse does: the same texts too deep, the
// same accepted, the same values. Any difference traps. dump() with the
// strict error handler also traps on a string that is not UTF-8, which
// neither parser may let into a tree. to_json_text must write the bytes
// nlohmann's dump writes, for the parsed tree and for a string of the raw
// input (invalid UTF-8 included). Repeated member names are counted
// independently: more names seen by nlohmann's parser than members in its
// tree. The first byte picks the depth bound
// (0 to 7, so that nesting limits are reached), the rest is the text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lienthong/core/json_parse.hpp"
#include "lienthong/core/json_text.hpp"

namespace {

std::size_t members(const nlohmann::json& value) {
  std::size_t count = value.is_object() ? value.size() : 0;
  if (value.is_structured()) {
    for (const auto& item : value)
      count += members(item);
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const int max_depth = data[0] % 8;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  // The writer against nlohmann's dump on strings of any bytes (invalid
  // UTF-8 replaced the same way), as a value and as a member name.
  const nlohmann::json raw{{std::string(text), std::string(text)}};
  if (lienthong::to_json_text(raw) !=
      raw.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
    __builtin_trap();

  const auto ours = lienthong::parse_json(text, max_depth);
  if (lienthong::exceeds_json_depth(text, max_depth)) {
    if (!ours.too_deep || ours.document.has_value())
      __builtin_trap();
    return 0;
  }
  std::size_t names = 0;
  const auto reference = nlohmann::json::parse(
      text,
      [&names](int, nlohmann::json::parse_event_t event, nlohmann::json&) {
        names += event == nlohmann::json::parse_event_t::key;
        return true;
      },
      /*allow_exceptions=*/false);
  if (ours.too_deep || ours.document.has_value() == reference.is_discarded())
    __builtin_trap();
  if (ours.document.has_value() &&
      (*ours.document != reference || ours.document->dump() != reference.dump() ||
       ours.repeated_name.has_value() != (names > members(reference)) ||
       lienthong::to_json_text(*ours.document) != reference.dump()))
    __builtin_trap();
  return 0;
}

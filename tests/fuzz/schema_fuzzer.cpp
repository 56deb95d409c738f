// libFuzzer target: JSON Schema compile + validate, the hub's most exposed
// code (schemas come from member administrators, documents from any member).
// Input: a JSON array [schema, document]; anything else is skipped. No depth
// pre-check, unlike the hub's listeners: the library must hold on its own.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lienthong/schema/json_schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto input = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded() || !input.is_array() || input.size() != 2)
    return 0;
  auto compiled = lienthong::schema::JsonSchema::compile(input[0]);
  if (!compiled.has_value())
    return 0;
  const auto violations = compiled.value()->validate(input[1]);
  // The result must be stable: validating twice gives the same answer.
  if (violations.empty() != compiled.value()->validate(input[1]).empty())
    __builtin_trap();
  return 0;
}

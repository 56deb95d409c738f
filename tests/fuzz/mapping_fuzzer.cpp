// libFuzzer target: a member's field mapping (adapter_config.mapping) compiled
// and applied to a document. Input: a JSON array [mapping, document].
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "lienthong/mapping/field_mapping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded() || !input.is_array() || input.size() != 2)
    return 0;
  (void)lienthong::mapping::check_mapping(input[0]);
  for (const char* direction : {"request", "response"}) {
    auto mapping = lienthong::mapping::FieldMapping::compile(input[0], direction);
    if (mapping.has_value())
      (void)mapping.value().apply(input[1], lienthong::ErrorCode::kClientMappingFailed);
  }
  return 0;
}

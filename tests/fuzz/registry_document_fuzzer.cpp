// libFuzzer target: a registry file (JSON or YAML) as `lienthong registry
// apply` reads it, and the YAML written back by `registry export`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registry/registry_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto document = lienthong::admin::parse_registry_document(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (document.has_value())
    (void)lienthong::admin::to_yaml(document.value());
  return 0;
}

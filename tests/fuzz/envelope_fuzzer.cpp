// libFuzzer target: a request body on POST /exchange/v1/messages, through the
// envelope parser (depth scan, JSON, UTF-8, envelope.schema.json, header
// field checks).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lienthong/exchange/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lienthong::exchange::EnvelopeParser parser(64);
  std::string message_id;
  (void)parser.parse(std::string_view(reinterpret_cast<const char*>(data), size), message_id);
  return 0;
}

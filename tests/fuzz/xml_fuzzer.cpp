// libFuzzer target: a SOAP provider's XML answer through the safe parser and
// the XML -> JSON reading, then that JSON written back as XML.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "xml_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace soap = lienthong::adapters::soap;
  pugi::xml_document document;
  if (!soap::parse_xml(document, std::string_view(reinterpret_cast<const char*>(data), size))
           .has_value())
    return 0;
  const auto root = document.document_element();
  auto json = soap::read_element(root, {}, 64);
  if (!json.has_value() || !json.value().is_object())
    return 0;
  pugi::xml_document out;
  (void)soap::write_members(out.append_child("Answer"), json.value(), {});
  return 0;
}

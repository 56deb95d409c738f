// libFuzzer target: a SOAP header fragment as an administrator registers it
// (provider credentials' soap_headers). What check_header_fragment accepts
// must go into an envelope without changing its shape: after appending it,
// the envelope still parses, its Header holds exactly the fragment's blocks
// after the hub's own, and its Body is untouched.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <pugixml.hpp>

#include "lienthong/registry/provider_auth.hpp"

#include "soap_security.hpp"
#include "xml_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace soap = lienthong::adapters::soap;
  const std::string fragment(reinterpret_cast<const char*>(data), size);
  if (!soap::check_header_fragment(fragment).empty())
    return 0;
  const auto blocks = soap::header_block_names(fragment);

  lienthong::registry::ProviderAuth auth;
  auth.soap_headers = fragment;
  pugi::xml_document built;
  auto envelope = built.append_child("soap:Envelope");
  envelope.append_attribute("xmlns:soap") = std::string(soap::kSoap11Namespace).c_str();
  auto header = envelope.append_child("soap:Header");
  header.append_child("lt:client").append_attribute("xmlns:lt") = "urn:lienthong:soap:1";
  envelope.append_child("soap:Body").append_child("Op").text().set("x");
  soap::append_provider_headers(header, auth, soap::SoapVersion::k11, {});
  std::ostringstream text;
  built.save(text, "", pugi::format_raw, pugi::encoding_utf8);

  pugi::xml_document reread;
  if (!soap::parse_xml(reread, text.str()).has_value())
    __builtin_trap();
  const auto root = reread.document_element();
  std::size_t children = 0;
  for (const auto& child : root.children()) {
    ++children;
    if (child.type() != pugi::node_element)
      __builtin_trap();
  }
  if (children != 2 || std::string(root.first_child().name()) != "soap:Header" ||
      std::string(root.last_child().child_value("Op")) != "x")
    __builtin_trap();
  std::size_t seen = 0;
  for (const auto& block : root.first_child().children()) {
    if (block.type() != pugi::node_element)
      continue;
    if (seen > 0 && soap::namespace_of(block) == "urn:lienthong:soap:1")
      __builtin_trap();  // a fragment wrote a hub header
    ++seen;
  }
  if (seen != blocks.size() + 1)
    __builtin_trap();
  return 0;
}

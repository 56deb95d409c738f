#include "xml_codec.hpp"

#include "lienthong/core/utf8.hpp"

namespace lienthong::adapters::soap {

namespace {

// NameStartChar and NameChar of XML 1.0 (fifth edition, production 4 and
// 4a), without ':' (element names here are local names, NCNames).
bool name_start(char32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (c >= 0xC0 && c <= 0xD6) ||
         (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
         (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) ||
         (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
         (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
         (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

bool name_char(char32_t c) {
  return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == 0xB7 ||
         (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}
}  // namespace

bool is_xml_name(std::string_view name) {
  if (name.empty())
    return false;
  for (std::size_t i = 0; i < name.size();) {
    const std::size_t length = utf8_sequence_length(name, i);
    if (length == 0)
      return false;
    const char32_t c = utf8_code_point(name, i, length);
    if (!(i == 0 ? name_start(c) : name_char(c)))
      return false;
    i += length;
  }
  return true;
}

std::pair<std::string_view, std::string_view> split_qname(std::string_view name) {
  const auto colon = name.find(':');
  if (colon == std::string_view::npos)
    return {{}, name};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

std::string_view local_name(const pugi::xml_node& node) {
  return split_qname(node.name()).second;
}

std::string_view namespace_uri(const pugi::xml_node& element, std::string_view prefix) {
  if (prefix == "xml")
    return kXmlNamespace;
  const std::string attribute = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (auto node = element; node; node = node.parent()) {
    if (const auto declared = node.attribute(attribute.c_str()))
      return declared.value();
  }
  return {};
}

std::string_view namespace_of(const pugi::xml_node& element) {
  return namespace_uri(element, split_qname(element.name()).first);
}

Status parse_xml(pugi::xml_document& document, std::string_view text) {
  // parse_doctype keeps the declaration as a node, so it can be refused below.
  const auto parsed =
      document.load_buffer(text.data(), text.size(), pugi::parse_default | pugi::parse_doctype);
  if (!parsed) {
    return make_error(ErrorCode::kProviderBadResponse,
                      std::string("the provider's answer is not well-formed XML: ") +
                          parsed.description() + " at byte " + std::to_string(parsed.offset));
  }
  for (const auto& node : document.children()) {
    if (node.type() == pugi::node_doctype) {
      return make_error(ErrorCode::kProviderBadResponse,
                        "the provider's XML declares a document type; refused, as entity "
                        "declarations can expand without bound or read local files");
    }
  }
  return Ok{};
}

}  // namespace lienthong::adapters::soap

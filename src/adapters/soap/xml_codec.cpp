#include "xml_codec.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "lienthong/core/utf8.hpp"

namespace lienthong::adapters::soap {

using nlohmann::json;

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

// XML 1.0 cannot carry control characters other than tab and line breaks,
// not even escaped.
bool xml_text(std::string_view text) {
  for (const unsigned char c : text) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      return false;
  }
  return true;
}

Error unmappable(const std::string& pointer, const std::string& why) {
  return make_error(ErrorCode::kClientMappingFailed, pointer + ": " + why);
}

Status write_value(pugi::xml_node parent, const std::string& name, const json& value,
                   const std::vector<std::string>& order, const std::string& pointer,
                   int depth_left);

Status write_object(pugi::xml_node parent, const json& value, const std::vector<std::string>& order,
                    const std::string& pointer, int depth_left) {
  if (depth_left <= 0)
    return unmappable(pointer, "nests too deep");
  const auto write_member = [&](const std::string& name, const json& member) {
    if (!is_xml_name(name))
      return Status(unmappable(pointer + "/" + name, "is not an XML element name"));
    return write_value(parent, name, member, order, pointer + "/" + name, depth_left - 1);
  };
  for (const auto& name : order) {
    if (const auto member = value.find(name); member != value.end()) {
      if (auto written = write_member(name, *member); !written.has_value())
        return written;
    }
  }
  for (const auto& [name, member] : value.items()) {
    if (std::find(order.begin(), order.end(), name) != order.end())
      continue;
    if (auto written = write_member(name, member); !written.has_value())
      return written;
  }
  return Ok{};
}

Status write_value(pugi::xml_node parent, const std::string& name, const json& value,
                   const std::vector<std::string>& order, const std::string& pointer,
                   int depth_left) {
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      const auto item_pointer = pointer + "/" + std::to_string(i);
      if (value[i].is_array())
        return unmappable(item_pointer, "an array directly inside an array has no XML form");
      if (auto written = write_value(parent, name, value[i], order, item_pointer, depth_left);
          !written.has_value())
        return written;
    }
    return Ok{};
  }
  auto element = parent.append_child(name.c_str());
  if (value.is_object())
    return write_object(element, value, order, pointer, depth_left);
  if (value.is_null()) {
    element.append_attribute("xsi:nil") = "true";
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (!xml_text(text))
      return unmappable(pointer, "contains a control character XML cannot carry");
    element.text().set(text.c_str());
  } else {
    element.text().set(value.dump().c_str());  // numbers and booleans
  }
  return Ok{};
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

std::string_view local_name(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
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
  const std::string_view name = element.name();
  const auto colon = name.find(':');
  return namespace_uri(element, colon == std::string_view::npos ? "" : name.substr(0, colon));
}

Status write_members(pugi::xml_node parent, const json& value,
                     const std::vector<std::string>& order, int max_depth) {
  if (!value.is_object())
    return unmappable("", "a SOAP request body must be a JSON object");
  return write_object(parent, value, order, "", max_depth);
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

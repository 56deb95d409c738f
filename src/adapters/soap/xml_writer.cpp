// JSON -> XML for SOAP requests (the convention is in xml_codec.hpp): the
// mirror of the reader, so an answer's "@attributes", "#text" and
// "@xsi:type" can be sent back as they came.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "xml_codec.hpp"

namespace lienthong::adapters::soap {

using nlohmann::json;

namespace {

constexpr std::string_view kText = "#text";

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

// A scalar as XML text (numbers and booleans as JSON writes them).
Result<std::string> scalar_text(const json& value, const std::string& pointer) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (!xml_text(text))
      return unmappable(pointer, "contains a control character XML cannot carry");
    return text;
  }
  if (value.is_number() || value.is_boolean())
    return value.dump();
  return unmappable(pointer, "an attribute or #text holds text, not an object or array");
}

class Writer {
 public:
  explicit Writer(const WriteRules& rules) : rules_(rules) {}

  Status object(pugi::xml_node element, const json& value, const std::string& pointer,
                int depth_left) {
    if (depth_left <= 0)
      return unmappable(pointer, "nests too deep");
    // Attributes, then the text, so the text precedes the child elements.
    for (const auto& [key, member] : value.items()) {
      if (!key.starts_with('@'))
        continue;
      if (auto written =
              attribute(element, std::string_view(key).substr(1), member, pointer + "/" + key);
          !written.has_value())
        return written;
    }
    if (const auto member = value.find(kText); member != value.end()) {
      if (auto written = text(element, *member, pointer + "/" + std::string(kText));
          !written.has_value())
        return written;
    }
    const auto is_element = [](const std::string& key) {
      return !key.starts_with('@') && key != kText;
    };
    for (const auto& name : rules_.order) {
      if (const auto member = value.find(name); member != value.end()) {
        if (auto written = child(element, name, *member, pointer, depth_left); !written.has_value())
          return written;
      }
    }
    for (const auto& [name, member] : value.items()) {
      if (!is_element(name) ||
          std::find(rules_.order.begin(), rules_.order.end(), name) != rules_.order.end())
        continue;
      if (auto written = child(element, name, member, pointer, depth_left); !written.has_value())
        return written;
    }
    return Ok{};
  }

 private:
  Status child(pugi::xml_node parent, const std::string& name, const json& member,
               const std::string& pointer, int depth_left) {
    if (!is_xml_name(name))
      return unmappable(pointer + "/" + name, "is not an XML element name");
    return value(parent, name, member, pointer + "/" + name, depth_left - 1);
  }

  Status value(pugi::xml_node parent, const std::string& name, const json& value,
               const std::string& pointer, int depth_left) {
    if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        const auto item_pointer = pointer + "/" + std::to_string(i);
        if (value[i].is_array())
          return unmappable(item_pointer, "an array directly inside an array has no XML form");
        if (auto written = this->value(parent, name, value[i], item_pointer, depth_left);
            !written.has_value())
          return written;
      }
      return Ok{};
    }
    auto element = open(parent, name);
    if (value.is_object())
      return object(element, value, pointer, depth_left);
    return text(element, value, pointer);
  }

  // The element, in the namespace the binding names for it: as its default
  // namespace when elements are qualified (its children follow it), else
  // under a prefix of its own (its children stay unqualified).
  pugi::xml_node open(pugi::xml_node parent, const std::string& name) {
    const auto found = rules_.namespaces.find(name);
    if (found == rules_.namespaces.end())
      return parent.append_child(name.c_str());
    if (rules_.qualified) {
      auto element = parent.append_child(name.c_str());
      element.append_attribute("xmlns") = found->second.c_str();
      return element;
    }
    auto element = parent.append_child(("ns:" + name).c_str());
    element.append_attribute("xmlns:ns") = found->second.c_str();
    return element;
  }

  Status text(pugi::xml_node element, const json& value, const std::string& pointer) {
    if (value.is_null()) {
      element.append_attribute("xsi:nil") = "true";
      return Ok{};
    }
    auto text = scalar_text(value, pointer);
    if (!text.has_value())
      return std::move(text).error();
    element.append_child(pugi::node_pcdata).set_value(text.value().c_str());
    return Ok{};
  }

  // "@name", "@xml:lang", "@xsi:type" ("{uri}Type" or "Type"); null is no attribute.
  Status attribute(pugi::xml_node element, std::string_view name, const json& value,
                   const std::string& pointer) {
    if (value.is_null())
      return Ok{};
    auto text = scalar_text(value, pointer);
    if (!text.has_value())
      return std::move(text).error();
    if (name == "xsi:type")
      return type(element, text.value(), pointer);
    const bool xml_attribute = name.starts_with("xml:") && is_xml_name(name.substr(4));
    if (!is_xml_name(name) && !xml_attribute) {
      return unmappable(pointer,
                        "is not an XML attribute name (attributes of namespaces other "
                        "than xml: and xsi:type have no form here)");
    }
    element.append_attribute(std::string(name).c_str()) = text.value().c_str();
    return Ok{};
  }

  Status type(pugi::xml_node element, const std::string& type, const std::string& pointer) {
    std::string_view uri;
    std::string_view local = type;
    if (type.starts_with('{')) {
      const auto close = type.find('}');
      if (close == std::string::npos)
        return unmappable(pointer, "xsi:type is \"{namespace}Type\" or \"Type\"");
      uri = std::string_view(type).substr(1, close - 1);
      local = std::string_view(type).substr(close + 1);
      if (uri.empty())
        return unmappable(pointer, "xsi:type is \"{namespace}Type\" or \"Type\"");
    }
    if (!is_xml_name(local))
      return unmappable(pointer, "xsi:type is \"{namespace}Type\" or \"Type\"");
    if (uri.empty()) {
      element.append_attribute("xsi:type") = std::string(local).c_str();
    } else {
      element.append_attribute("xmlns:xt") = std::string(uri).c_str();
      element.append_attribute("xsi:type") = ("xt:" + std::string(local)).c_str();
    }
    return Ok{};
  }

  const WriteRules& rules_;
};

}  // namespace

Status write_members(pugi::xml_node parent, const json& value, const WriteRules& rules) {
  if (!value.is_object())
    return unmappable("", "a SOAP request body must be a JSON object");
  return Writer(rules).object(parent, value, "", rules.max_depth);
}

}  // namespace lienthong::adapters::soap

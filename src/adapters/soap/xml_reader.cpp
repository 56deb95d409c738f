// XML -> JSON for SOAP answers (the convention is in xml_codec.hpp). Whatever
// the answer holds either reaches the JSON or makes the answer
// Provider.BadResponse naming it: an answer is evidence, and a field lost
// without a trace is worse than no answer.
#include <map>

#include <nlohmann/json.hpp>

#include "lienthong/core/utf8.hpp"

#include "xml_codec.hpp"

namespace lienthong::adapters::soap {

using nlohmann::json;

namespace {

// Attributes in these say how the data is encoded (encodingStyle,
// arrayType, root, ...), not what it is.
constexpr std::string_view kEncodingNamespaces[] = {
    "http://schemas.xmlsoap.org/soap/envelope/", "http://schemas.xmlsoap.org/soap/encoding/",
    "http://www.w3.org/2003/05/soap-envelope", "http://www.w3.org/2003/05/soap-encoding"};

using Names = std::set<std::string, std::less<>>;

Error unreadable(const pugi::xml_node& element, const std::string& why) {
  return make_error(ErrorCode::kProviderBadResponse,
                    "the provider's XML element " + std::string(local_name(element)) + " " + why);
}

std::string_view prefix_of(std::string_view name) {
  return split_qname(name).first;
}

std::string_view without_prefix(std::string_view name) {
  return split_qname(name).second;
}

bool is_encoding_namespace(std::string_view uri) {
  for (const auto known : kEncodingNamespaces) {
    if (uri == known)
      return true;
  }
  return false;
}

// `href="#id"` (SOAP 1.1 encoding, Axis's multiRef) or `enc:ref="id"`
// (SOAP 1.2 encoding) as written, or "" when the element holds its own content.
std::string content_reference(const pugi::xml_node& element) {
  for (const auto& attribute : element.attributes()) {
    const std::string_view name = attribute.name();
    if ((name == "href" && attribute.value()[0] == '#') ||
        (!prefix_of(name).empty() && without_prefix(name) == "ref"))
      return std::string(name) + "=\"" + attribute.value() + "\"";
  }
  return "";
}

// The text directly inside `element` (its children's text is theirs).
std::string text_of(const pugi::xml_node& element) {
  std::string text;
  for (const auto& child : element.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
      text += child.value();
  }
  return text;
}

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Result<json> utf8_text(const pugi::xml_node& element, std::string text) {
  // pugixml passes bytes through; a JSON string must be UTF-8 (and nlohmann
  // would throw while writing the answer).
  if (find_invalid_utf8(text))
    return unreadable(element, "holds text that is not valid UTF-8");
  return json(std::move(text));
}

// An element's attributes as JSON: data attributes as "@name", xsi:type as
// "@xsi:type", xsi:nil as `nil`.
struct Attributes {
  json members = json::object();
  bool nil = false;
};

// xsi:type's QName as "{uri}Type" ("Type" without a namespace); empty for
// XML Schema's and SOAP encoding's own types, which only say how the text
// is written (it is kept as written).
Result<std::string> expanded_type(const pugi::xml_node& element, std::string_view qname) {
  const auto prefix = prefix_of(qname);
  auto uri = namespace_uri(element, prefix);
  if (uri.empty() && (prefix == "xsd" || prefix == "xs"))
    uri = kXsdNamespace;  // the conventional prefixes, often left undeclared
  if (!prefix.empty() && uri.empty())
    return unreadable(
        element, "has xsi:type=\"" + std::string(qname) + "\" with a prefix that is not declared");
  if (uri == kXsdNamespace || is_encoding_namespace(uri))
    return std::string();
  const auto type = std::string(without_prefix(qname));
  return uri.empty() ? type : "{" + std::string(uri) + "}" + type;
}

Result<Attributes> read_attributes(const pugi::xml_node& element) {
  Attributes out;
  for (const auto& attribute : element.attributes()) {
    const std::string_view name = attribute.name();
    const std::string_view value = attribute.value();
    if (name == "xmlns" || name.starts_with("xmlns:"))
      continue;  // declarations: how names are written, not data
    const auto prefix = prefix_of(name);
    const auto local = without_prefix(name);
    auto uri = prefix.empty() ? std::string_view{} : namespace_uri(element, prefix);
    // Stacks that copy elements out of their envelope often leave xsi: undeclared.
    if (uri.empty() && prefix == "xsi")
      uri = kXsiNamespace;
    std::string key;
    if (prefix.empty()) {
      key = "@" + std::string(name);
    } else if (uri == kXmlNamespace) {
      key = "@xml:" + std::string(local);
    } else if (uri == kXsiNamespace && local == "nil") {
      out.nil = value == "true" || value == "1";
      continue;
    } else if (uri == kXsiNamespace &&
               (local == "schemaLocation" || local == "noNamespaceSchemaLocation")) {
      continue;  // where a validator may find the schema
    } else if (uri == kXsiNamespace && local == "type") {
      auto type = expanded_type(element, value);
      if (!type.has_value())
        return std::move(type).error();
      if (!type.value().empty())
        out.members["@xsi:type"] = std::move(type).value();
      continue;
    } else if (is_encoding_namespace(uri)) {
      continue;
    } else {
      return unreadable(element, "has the attribute " + std::string(name) +
                                     (uri.empty() ? " whose prefix is not declared"
                                                  : " of namespace \"" + std::string(uri) +
                                                        "\", which has no JSON form here"));
    }
    auto text = utf8_text(element, std::string(value));
    if (!text.has_value())
      return std::move(text).error();
    out.members[key] = std::move(text).value();
  }
  return out;
}

// The names of the lists declared at `path` ("/danhSach/thua" under "/danhSach").
std::vector<std::string_view> lists_at(const Names& arrays, std::string_view path) {
  std::vector<std::string_view> names;
  for (const std::string_view entry : arrays) {
    const auto slash = entry.rfind('/');
    if (slash != std::string_view::npos && entry.substr(0, slash) == path)
      names.push_back(entry.substr(slash + 1));
  }
  return names;
}

Result<json> read_at(const pugi::xml_node& element, const Names& arrays, const std::string& path,
                     int depth_left) {
  if (depth_left <= 0)
    return make_error(ErrorCode::kProviderBadResponse, "the provider's XML nests too deep");
  if (const auto reference = content_reference(element); !reference.empty()) {
    // Read as it stands, the element would be an empty string: data lost
    // without a trace. Refused instead, naming what the provider did.
    return unreadable(element, "refers to its content elsewhere (" + reference +
                                   ", SOAP encoding multiRef), which the adapter does not "
                                   "resolve; the provider must answer document/literal");
  }
  auto attributes = read_attributes(element);
  if (!attributes.has_value())
    return std::move(attributes).error();
  json object = std::move(attributes.value().members);
  const bool nil = attributes.value().nil;

  // Children keyed by local name; the same name in two namespaces would merge.
  std::map<std::string_view, std::pair<int, std::string_view>> names;  // count, namespace
  for (const auto& child : element.children()) {
    if (child.type() != pugi::node_element)
      continue;
    auto& [count, uri] = names[local_name(child)];
    const auto child_uri = namespace_of(child);
    if (count++ > 0 && uri != child_uri) {
      return unreadable(element, "holds " + std::string(local_name(child)) +
                                     " elements of two namespaces (\"" + std::string(uri) +
                                     "\" and \"" + std::string(child_uri) +
                                     "\"), which the JSON form, keyed by local name, would merge");
    }
    uri = child_uri;
  }
  const auto declared = lists_at(arrays, path);
  std::string text = text_of(element);

  if (names.empty() && nil) {
    if (object.empty())
      return json(nullptr);
    object["#text"] = nullptr;  // a nil element with attributes
    return object;
  }
  if (names.empty() && declared.empty() && object.empty())
    return utf8_text(element, std::move(text));
  for (const auto& child : element.children()) {
    if (child.type() != pugi::node_element)
      continue;
    const auto name = local_name(child);
    const std::string child_path = path + "/" + std::string(name);
    auto value = read_at(child, arrays, child_path, depth_left - 1);
    if (!value.has_value())
      return value;
    auto& slot = object[std::string(name)];
    if (names[name].first > 1 || arrays.contains(name) || arrays.contains(child_path)) {
      slot.push_back(std::move(value).value());
    } else {
      slot = std::move(value).value();
    }
  }
  for (const auto name : declared) {
    if (!object.contains(name))
      object[std::string(name)] = json::array();
  }
  // Text beside child elements (mixed content) or attributes is data too;
  // the indentation between elements is not.
  const bool text_with_attributes = names.empty() && declared.empty() && !text.empty();
  if (!blank(text) || text_with_attributes) {
    auto value = utf8_text(element, std::move(text));
    if (!value.has_value())
      return value;
    object["#text"] = std::move(value).value();
  }
  return object;
}

}  // namespace

Result<json> read_element(const pugi::xml_node& element, const Names& arrays, int max_depth) {
  return read_at(element, arrays, "", max_depth);
}

}  // namespace lienthong::adapters::soap

#include "soap_binding.hpp"

#include <nlohmann/json.hpp>

#include "lienthong/core/utf8.hpp"

#include "xml_codec.hpp"

namespace lienthong::adapters::soap {

using nlohmann::json;

namespace {

Error invalid(const std::string& field, const std::string& why) {
  return make_error(ErrorCode::kClientInvalidInput, "soap/" + field + ": " + why);
}

// "/danhSach/thua": element names from the top of the answer.
bool is_element_path(std::string_view path) {
  if (!path.starts_with('/'))
    return false;
  for (std::size_t start = 1; start <= path.size();) {
    const auto end = std::min(path.find('/', start), path.size());
    if (!is_xml_name(path.substr(start, end - start)))
      return false;
    start = end + 1;
  }
  return true;
}

// `paths`: entries may also be element paths (the answer's lists).
Result<std::vector<std::string>> element_names(const json& soap, const std::string& field,
                                               bool paths) {
  const std::string expected = paths ? "must be an array of element names or paths (\"/a/b\")"
                                     : "must be an array of element names";
  std::vector<std::string> names;
  if (!soap.contains(field))
    return names;
  if (!soap[field].is_array())
    return invalid(field, expected);
  for (const auto& name : soap[field]) {
    if (!name.is_string())
      return invalid(field, expected);
    const auto& text = name.get_ref<const std::string&>();
    if (!is_xml_name(text) && !(paths && is_element_path(text)))
      return invalid(field, expected + "; \"" + text + "\" is not one");
    names.push_back(text);
  }
  return names;
}

}  // namespace

Result<SoapBinding> SoapBinding::from_config(const json& adapter_config) {
  if (!adapter_config.is_object() || !adapter_config.contains("soap"))
    return make_error(ErrorCode::kClientInvalidInput, "soap: missing");
  const json& soap = adapter_config["soap"];
  if (!soap.is_object())
    return invalid("", "must be an object");
  static const std::set<std::string, std::less<>> kKnown{
      "version", "namespace", "operation", "action", "elements", "order", "arrays", "namespaces"};
  for (const auto& [key, value] : soap.items()) {
    if (!kKnown.contains(key))
      return invalid(key, "unknown field");
  }

  SoapBinding binding;
  const json version = soap.value("version", json("1.1"));
  if (version == "1.2") {
    binding.version = SoapVersion::k12;
  } else if (version != "1.1") {
    return invalid("version", "must be \"1.1\" or \"1.2\"");
  }
  if (!soap.contains("namespace") || !soap["namespace"].is_string() ||
      soap["namespace"].get<std::string>().empty())
    return invalid("namespace", "the operation's namespace URI is required");
  binding.ns = soap["namespace"].get<std::string>();
  if (!soap.contains("operation") || !soap["operation"].is_string() ||
      !is_xml_name(soap["operation"].get<std::string>()))
    return invalid("operation", "the request element's name is required (an XML name)");
  binding.operation = soap["operation"].get<std::string>();
  if (soap.contains("action")) {
    if (!soap["action"].is_string() ||
        soap["action"].get<std::string>().find_first_of("\"\r\n") != std::string::npos)
      return invalid("action", "must be a string without quotes or line breaks");
    binding.action = soap["action"].get<std::string>();
  }
  if (soap.contains("elements")) {
    const auto& elements = soap["elements"];
    if (elements != "qualified" && elements != "unqualified")
      return invalid("elements", "must be \"qualified\" or \"unqualified\"");
    binding.qualified = elements == "qualified";
  }
  auto order = element_names(soap, "order", false);
  if (!order.has_value())
    return std::move(order).error();
  binding.order = std::move(order).value();
  if (soap.contains("namespaces")) {
    const auto& namespaces = soap["namespaces"];
    if (!namespaces.is_object())
      return invalid("namespaces", "must map element names to namespace URIs");
    for (const auto& [name, uri] : namespaces.items()) {
      if (!is_xml_name(name))
        return invalid("namespaces/" + name, "is not an element name");
      if (!uri.is_string() || uri.get_ref<const std::string&>().empty() ||
          find_control_character(uri.get_ref<const std::string&>()))
        return invalid("namespaces/" + name, "must be a namespace URI");
      binding.namespaces[name] = uri.get<std::string>();
    }
  }
  auto arrays = element_names(soap, "arrays", true);
  if (!arrays.has_value())
    return std::move(arrays).error();
  binding.arrays.insert(arrays.value().begin(), arrays.value().end());
  return binding;
}

std::string check_soap_binding(const json& soap) {
  auto binding = SoapBinding::from_config(json{{"soap", soap}});
  return binding.has_value() ? "" : binding.error().detail;
}

}  // namespace lienthong::adapters::soap

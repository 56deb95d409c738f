#include "soap_envelope.hpp"

#include <sstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "lienthong/core/utf8.hpp"
#include "lienthong/net/header_text.hpp"

#include "soap_security.hpp"
#include "xml_codec.hpp"

namespace lienthong::adapters::soap {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxFaultText = 512;

// X-Lienthong-* request headers and the lt:* header elements they become.
constexpr std::pair<std::string_view, const char*> kHubHeaders[] = {
    {"X-Lienthong-Message-Id", "lt:messageId"}, {"X-Lienthong-Request-Id", "lt:requestId"},
    {"X-Lienthong-Client", "lt:client"},        {"X-Lienthong-Service", "lt:service"},
    {"X-Lienthong-User-Id", "lt:userId"},       {"X-Lienthong-Purpose", "lt:purpose"},
};

Error bad_response(const std::string& why) {
  return make_error(ErrorCode::kProviderBadResponse, "the provider's SOAP answer " + why);
}

pugi::xml_node child_named(const pugi::xml_node& parent, std::string_view name) {
  for (const auto& child : parent.children()) {
    if (child.type() == pugi::node_element && local_name(child) == name)
      return child;
  }
  return {};
}

std::string trimmed_text(const pugi::xml_node& node) {
  std::string text = node.child_value();
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return "";
  text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
  if (text.size() > kMaxFaultText)  // cut between characters, never inside one
    text = std::string(utf8_prefix(text, kMaxFaultText)) + "...";
  return text;
}

// "reason (code)" from a 1.1 (faultstring/faultcode) or 1.2 (Reason/Text,
// Code/Value) Fault.
Error fault_error(const pugi::xml_node& fault) {
  std::string reason = trimmed_text(child_named(fault, "faultstring"));
  if (reason.empty())
    reason = trimmed_text(child_named(child_named(fault, "Reason"), "Text"));
  std::string code = trimmed_text(child_named(fault, "faultcode"));
  if (code.empty())
    code = trimmed_text(child_named(child_named(fault, "Code"), "Value"));
  if (reason.empty())
    reason = "no reason given";
  return make_error(ErrorCode::kProviderFault,
                    "SOAP Fault: " + reason + (code.empty() ? "" : " (" + code + ")"));
}

}  // namespace

std::string_view envelope_namespace(SoapVersion version) {
  return version == SoapVersion::k12 ? kSoap12Namespace : kSoap11Namespace;
}

Result<std::string> build_request(const SoapBinding& binding, const json& body,
                                  const std::vector<net::Header>& hub_headers, int max_depth,
                                  const registry::ProviderAuth* auth) {
  pugi::xml_document document;
  auto declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  auto envelope = document.append_child("soap:Envelope");
  envelope.append_attribute("xmlns:soap") =
      std::string(envelope_namespace(binding.version)).c_str();
  envelope.append_attribute("xmlns:xsi") = std::string(kXsiNamespace).c_str();
  envelope.append_attribute("xmlns:lt") = std::string(kHubNamespace).c_str();

  auto header = envelope.append_child("soap:Header");
  for (const auto& [name, element] : kHubHeaders) {
    // The original text: the HTTP header may carry it RFC 8187-encoded.
    const auto value = net::decode_header_text(net::find_header(hub_headers, name));
    if (!value.empty())
      header.append_child(element).text().set(value.c_str());
  }
  if (auth != nullptr)
    append_provider_headers(header, *auth, binding.version, std::chrono::system_clock::now());

  auto operation = envelope.append_child("soap:Body");
  if (binding.qualified) {
    operation = operation.append_child(binding.operation.c_str());
    operation.append_attribute("xmlns") = binding.ns.c_str();
  } else {
    operation = operation.append_child(("op:" + binding.operation).c_str());
    operation.append_attribute("xmlns:op") = binding.ns.c_str();
  }
  const WriteRules rules{.order = binding.order,
                         .namespaces = binding.namespaces,
                         .qualified = binding.qualified,
                         .max_depth = max_depth};
  if (auto written = write_members(operation, body, rules); !written.has_value())
    return std::move(written).error();

  std::ostringstream out;
  document.save(out, "", pugi::format_raw, pugi::encoding_utf8);
  return out.str();
}

Result<json> read_response(const SoapBinding& binding, std::string_view xml, int max_depth) {
  pugi::xml_document document;
  if (auto parsed = parse_xml(document, xml); !parsed.has_value())
    return std::move(parsed).error();
  const auto envelope = document.document_element();
  if (local_name(envelope) != "Envelope" ||
      (namespace_of(envelope) != kSoap11Namespace && namespace_of(envelope) != kSoap12Namespace))
    return bad_response("is not a SOAP envelope");
  const auto body = child_named(envelope, "Body");
  if (!body)
    return bad_response("has no Body");
  pugi::xml_node payload;
  for (const auto& child : body.children()) {
    if (child.type() == pugi::node_element) {
      payload = child;
      break;
    }
  }
  if (!payload)
    return json::object();
  if (const auto ns = namespace_of(payload);
      local_name(payload) == "Fault" && (ns == kSoap11Namespace || ns == kSoap12Namespace))
    return fault_error(payload);
  auto value = read_element(payload, binding.arrays, max_depth);
  if (!value.has_value() || value.value().is_object())
    return value;
  // A text-only answer element still gives the standard form an object.
  return json{{std::string(local_name(payload)), std::move(value).value()}};
}

}  // namespace lienthong::adapters::soap

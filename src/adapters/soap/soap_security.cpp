#include "soap_security.hpp"

#include <array>
#include <stdexcept>

#include <openssl/rand.h>

#include "lienthong/core/digest.hpp"
#include "lienthong/core/timestamp.hpp"
#include "lienthong/registry/provider_auth.hpp"

#include "xml_codec.hpp"

namespace lienthong::adapters::soap {

namespace {

constexpr std::string_view kProfile =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0";
constexpr std::string_view kBase64Binary =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary";
constexpr int kMaxFragmentDepth = 32;
constexpr int kMaxFragmentElements = 1'000;
// How long a wsu:Timestamp says the message is fresh (WCF's default MaxClockSkew).
constexpr std::chrono::minutes kTimestampLifetime{5};

constexpr unsigned kFragmentOptions = pugi::parse_default | pugi::parse_fragment |
                                      pugi::parse_doctype | pugi::parse_pi |
                                      pugi::parse_declaration;

std::string clark_name(const pugi::xml_node& element) {
  return "{" + std::string(namespace_of(element)) + "}" + std::string(local_name(element));
}

// Every prefix of the element and its attributes declared within the fragment.
std::string check_prefixes(const pugi::xml_node& element) {
  const auto [prefix, local] = split_qname(element.name());
  if (!prefix.empty() && namespace_uri(element, prefix).empty())
    return "prefix " + std::string(prefix) + " of <" + element.name() +
           "> is not declared in the fragment";
  for (const auto& attribute : element.attributes()) {
    const auto [attribute_prefix, name] = split_qname(attribute.name());
    if (attribute_prefix.empty() || attribute_prefix == "xmlns")
      continue;
    if (namespace_uri(element, attribute_prefix).empty())
      return "prefix " + std::string(attribute_prefix) + " of attribute " + attribute.name() +
             " is not declared in the fragment";
  }
  return {};
}

std::string check_subtree(const pugi::xml_node& element, int depth, int& elements) {
  if (depth > kMaxFragmentDepth)
    return "nests deeper than " + std::to_string(kMaxFragmentDepth) + " elements";
  if (++elements > kMaxFragmentElements)
    return "has more than " + std::to_string(kMaxFragmentElements) + " elements";
  if (auto problem = check_prefixes(element); !problem.empty())
    return problem;
  for (const auto& child : element.children()) {
    switch (child.type()) {
      case pugi::node_element:
        if (auto problem = check_subtree(child, depth + 1, elements); !problem.empty())
          return problem;
        break;
      case pugi::node_pcdata:
      case pugi::node_cdata:
        break;
      default:
        return "holds a processing instruction or declaration inside <" +
               std::string(element.name()) + ">";
    }
  }
  return {};
}

std::string random_nonce() {
  std::array<unsigned char, 16> nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return std::string(reinterpret_cast<const char*>(nonce.data()), nonce.size());
}

void append_text(pugi::xml_node parent, const char* name, const std::string& text) {
  parent.append_child(name).text().set(text.c_str());
}

void append_username_token(pugi::xml_node security, const registry::ProviderAuth::WsSecurity& token,
                           const std::string& created) {
  auto username_token = security.append_child("wsse:UsernameToken");
  username_token.append_attribute("wsu:Id") = "UsernameToken-1";
  append_text(username_token, "wsse:Username", token.username);
  const std::string nonce = random_nonce();
  auto password = username_token.append_child("wsse:Password");
  if (token.digest) {
    // Base64(SHA-1(nonce + created + password)), as the profile defines it.
    password.append_attribute("Type") = (std::string(kProfile) + "#PasswordDigest").c_str();
    password.text().set(base64_encode(sha1(nonce + created + token.password)).c_str());
  } else {
    password.append_attribute("Type") = (std::string(kProfile) + "#PasswordText").c_str();
    password.text().set(token.password.c_str());
  }
  auto nonce_element = username_token.append_child("wsse:Nonce");
  nonce_element.append_attribute("EncodingType") = std::string(kBase64Binary).c_str();
  nonce_element.text().set(base64_encode(nonce).c_str());
  append_text(username_token, "wsu:Created", created);
}

}  // namespace

std::string check_header_fragment(std::string_view fragment) {
  pugi::xml_document document;
  const auto parsed =
      document.load_buffer(fragment.data(), fragment.size(), kFragmentOptions, pugi::encoding_utf8);
  if (!parsed) {
    return std::string("is not well-formed XML: ") + parsed.description() + " at byte " +
           std::to_string(parsed.offset);
  }
  int elements = 0;
  int blocks = 0;
  for (const auto& node : document.children()) {
    if (node.type() == pugi::node_pcdata &&
        std::string_view(node.value()).find_first_not_of(" \t\r\n") == std::string_view::npos)
      continue;
    if (node.type() != pugi::node_element)
      return "may hold only elements (no document type, processing instruction or text)";
    ++blocks;
    if (auto problem = check_subtree(node, 1, elements); !problem.empty())
      return problem;
    const auto ns = namespace_of(node);
    if (ns.empty())
      return "<" + std::string(node.name()) +
             "> is not namespace-qualified; SOAP header blocks must be (declare its xmlns)";
    if (ns == kHubNamespace || ns == kSoap11Namespace || ns == kSoap12Namespace)
      return "<" + std::string(node.name()) + "> is in a namespace the hub writes itself";
  }
  if (blocks == 0)
    return "holds no header block";
  return {};
}

std::vector<std::string> header_block_names(std::string_view fragment) {
  pugi::xml_document document;
  std::vector<std::string> names;
  if (!document.load_buffer(fragment.data(), fragment.size(), kFragmentOptions,
                            pugi::encoding_utf8))
    return names;
  for (const auto& node : document.children()) {
    if (node.type() == pugi::node_element)
      names.push_back(clark_name(node));
  }
  return names;
}

void append_provider_headers(pugi::xml_node header, const registry::ProviderAuth& auth,
                             SoapVersion version, std::chrono::system_clock::time_point now) {
  if (auth.ws_security) {
    auto security = header.append_child("wsse:Security");
    security.append_attribute("xmlns:wsse") = std::string(kWsseNamespace).c_str();
    security.append_attribute("xmlns:wsu") = std::string(kWsuNamespace).c_str();
    security.append_attribute("soap:mustUnderstand") = version == SoapVersion::k11 ? "1" : "true";
    const std::string created = to_rfc3339(now);
    if (auth.ws_security->timestamp) {
      auto timestamp = security.append_child("wsu:Timestamp");
      timestamp.append_attribute("wsu:Id") = "Timestamp-1";
      append_text(timestamp, "wsu:Created", created);
      append_text(timestamp, "wsu:Expires", to_rfc3339(now + kTimestampLifetime));
    }
    append_username_token(security, *auth.ws_security, created);
  }
  if (!auth.soap_headers.empty()) {
    // Checked when registered; the same options parse it here.
    header.append_buffer(auth.soap_headers.data(), auth.soap_headers.size(),
                         pugi::parse_default | pugi::parse_fragment, pugi::encoding_utf8);
  }
}

}  // namespace lienthong::adapters::soap

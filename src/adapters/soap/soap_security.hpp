#pragma once
// The SOAP header blocks a provider registered besides TLS: a WS-Security
// UsernameToken (OASIS Web Services Security UsernameToken Profile 1.0/1.1,
// PasswordText or PasswordDigest, with Nonce and Created; optionally a
// wsu:Timestamp), and the provider's own fixed header blocks, an XML
// fragment registered with the system.

#include <chrono>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "soap_binding.hpp"

namespace lienthong::registry {
struct ProviderAuth;
}

namespace lienthong::adapters::soap {

inline constexpr std::string_view kWsseNamespace =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr std::string_view kWsuNamespace =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
// Where the hub's own lt:* header elements live; a registered fragment may not use it.
inline constexpr std::string_view kHubNamespace = "urn:lienthong:soap:1";

// Empty when `fragment` can go into every request's soap:Header as it is:
// well-formed elements only (no document type, processing instruction or
// stray text), every prefix declared inside the fragment, each top-level
// block namespace-qualified (SOAP 1.1 section 4.2.1) and in neither the
// envelope's nor the hub's namespace; bounded in depth and size. Else why not.
std::string check_header_fragment(std::string_view fragment);

// The {namespace}local names of the fragment's top-level blocks (a checked fragment).
std::vector<std::string> header_block_names(std::string_view fragment);

// Appends the registration's wsse:Security block (when it has a
// ws_security token) and its fixed header blocks to `header`, the
// envelope's soap:Header ("soap" bound to the envelope's namespace).
void append_provider_headers(pugi::xml_node header, const registry::ProviderAuth& auth,
                             SoapVersion version, std::chrono::system_clock::time_point now);

}  // namespace lienthong::adapters::soap

#pragma once
// What a provider system wants from the hub besides TLS before it answers:
// HTTP Basic credentials, a WS-Security UsernameToken, fixed SOAP header
// blocks (a legacy service's own <AuthHeader>), registered per system
// through PUT /admin/v1/systems/{id}/provider-auth. The registration is one
// JSON document, stored sealed (lienthong/core/sealing_key.hpp) and never
// shown again; the snapshot holds it opened, for the adapters.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::registry {

struct ProviderAuth {
  struct HttpBasic {
    std::string username;
    std::string password;
  };
  struct WsSecurity {
    std::string username;
    std::string password;
    bool digest = false;     // PasswordDigest instead of PasswordText
    bool timestamp = false;  // add a wsu:Timestamp (WCF's UserNameOverTransport wants one)
  };

  std::optional<HttpBasic> http_basic;    // every HTTP call to the system
  std::optional<WsSecurity> ws_security;  // SOAP calls only
  std::string soap_headers;               // SOAP calls only: an XML fragment; empty when none
  // Set when this node could not open the sealed registration (another
  // node's key, an altered row): calls to the system are then refused,
  // never sent without the credentials the provider expects.
  std::string unavailable;

  ProviderAuth() = default;
  ProviderAuth(const ProviderAuth&) = default;
  ProviderAuth& operator=(const ProviderAuth&) = default;
  ~ProviderAuth();  // wipes the passwords
};

// What a registration is sealed with besides the key (AES-GCM's associated
// data): the system's row id, so a sealed value moved to another system's
// row does not open.
std::string provider_auth_context(std::int64_t system_id);

// The registration document, checked member by member: Client.InvalidInput
// naming the JSON pointer of each problem. The SOAP header fragment's XML is
// the SOAP adapter's to check (lienthong/adapters/provider_auth.hpp).
Result<ProviderAuth> parse_provider_auth(const nlohmann::json& document);

// What may be shown of a registration: usernames and options, never a
// password; the SOAP header fragment only as its SHA-256 (it often holds a key).
nlohmann::json describe_provider_auth(const ProviderAuth& auth);

}  // namespace lienthong::registry

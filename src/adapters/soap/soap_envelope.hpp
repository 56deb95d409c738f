#pragma once
// SOAP 1.1 and 1.2 envelopes: the request the hub sends and the answer (or
// Fault) it reads back.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"

#include "soap_binding.hpp"

namespace lienthong::registry {
struct ProviderAuth;
}

namespace lienthong::adapters::soap {

// The namespace of the envelope in each version.
std::string_view envelope_namespace(SoapVersion version);

// The request envelope: a soap:Header carrying who is calling and why (the
// hub's X-Lienthong-* headers as lt:* elements, so the provider can log them
// like X-Road's client/service/id) and what the provider registered
// (`auth`, may be null: soap_security.hpp), and the operation element in
// soap:Body holding `body`. Client.MappingFailed when `body` has no XML form.
Result<std::string> build_request(const SoapBinding& binding, const nlohmann::json& body,
                                  const std::vector<net::Header>& hub_headers, int max_depth,
                                  const registry::ProviderAuth* auth = nullptr);

// The JSON of the first element in the answer's soap:Body. A soap:Fault
// (either version) is Provider.Fault with its reason and code in the
// detail; anything else that is not an envelope is Provider.BadResponse.
Result<nlohmann::json> read_response(const SoapBinding& binding, std::string_view xml,
                                     int max_depth);

}  // namespace lienthong::adapters::soap

#pragma once
// A provider registration (lienthong/registry/provider_auth.hpp) checked
// whole before it is stored: its members, and its SOAP header fragment as
// the SOAP adapter will send it.

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/result.hpp"
#include "lienthong/registry/provider_auth.hpp"

namespace lienthong::adapters {

// Client.InvalidInput naming the JSON pointer of each problem.
Result<registry::ProviderAuth> check_provider_auth(const nlohmann::json& document);

// describe_provider_auth's view plus the {namespace}local names of the SOAP
// header blocks, which are no secret.
nlohmann::json describe_registration(const registry::ProviderAuth& auth);

}  // namespace lienthong::adapters

#include "lienthong/adapters/provider_auth.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "lienthong/core/digest.hpp"
#include "lienthong/registry/snapshot.hpp"

#include "provider_credentials.hpp"
#include "soap/soap_security.hpp"
#include "soap/xml_codec.hpp"

namespace lienthong::adapters {

namespace {

Error invalid(std::string pointer, std::string detail) {
  Error error =
      make_error(ErrorCode::kClientInvalidInput, "the provider credentials are not valid");
  error.fields.push_back({std::move(pointer), std::move(detail)});
  return error;
}

}  // namespace

Result<registry::ProviderAuth> check_provider_auth(const nlohmann::json& document) {
  auto auth = registry::parse_provider_auth(document);
  if (!auth.has_value() || auth.value().soap_headers.empty())
    return auth;
  const std::string& fragment = auth.value().soap_headers;
  if (auto problem = soap::check_header_fragment(fragment); !problem.empty())
    return invalid("/soap_headers", "the fragment " + problem);
  if (auth.value().ws_security) {
    const std::string security = "{" + std::string(soap::kWsseNamespace) + "}Security";
    const auto names = soap::header_block_names(fragment);
    if (std::find(names.begin(), names.end(), security) != names.end())
      return invalid("/soap_headers",
                     "holds a wsse:Security block while ws_security adds one: give one of them");
  }
  return auth;
}

nlohmann::json describe_registration(const registry::ProviderAuth& auth) {
  auto view = registry::describe_provider_auth(auth);
  if (!auth.soap_headers.empty())
    view["soap_headers"]["blocks"] = soap::header_block_names(auth.soap_headers);
  return view;
}

Status credentials_ready(const registry::SystemEntry& provider) {
  if (provider.provider_auth && !provider.provider_auth->unavailable.empty()) {
    return make_error(ErrorCode::kServerCredentialsUnavailable,
                      "the provider's registered credentials cannot be used on this hub node: " +
                          provider.provider_auth->unavailable);
  }
  return Ok{};
}

void add_http_basic(const registry::SystemEntry& provider, std::vector<net::Header>& headers) {
  if (!provider.provider_auth || !provider.provider_auth->http_basic)
    return;
  const auto& basic = *provider.provider_auth->http_basic;
  std::erase_if(headers, [](const net::Header& header) {
    constexpr std::string_view kName = "authorization";
    return std::equal(
        header.name.begin(), header.name.end(), kName.begin(), kName.end(),
        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  });
  headers.push_back(
      {"Authorization", "Basic " + base64_encode(basic.username + ":" + basic.password)});
}

}  // namespace lienthong::adapters

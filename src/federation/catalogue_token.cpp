#include "lienthong/federation/catalogue_token.hpp"

#include "jws.hpp"
#include "token_claims.hpp"

namespace lienthong::federation {
namespace {

using nlohmann::json;

// A catalogue's schemas may nest as deep as the hub accepts in a schema upload.
constexpr int kClaimsDepth = 128;

CatalogueCheck refuse(std::string why) {
  return CatalogueCheck{std::nullopt, std::move(why)};
}

}  // namespace

std::string sign_catalogue(const CatalogueClaims& claims, const audit::SigningKey& key) {
  return sign_jws(kCatalogueTokenType,
                  json{{"iss", claims.issuer},
                       {"aud", claims.audience},
                       {"iat", to_seconds(claims.issued_at)},
                       {"exp", to_seconds(claims.expires_at)},
                       {"ver", claims.version},
                       {"services", claims.services}},
                  key);
}

CatalogueCheck verify_catalogue(std::string_view token, const CatalogueExpectation& expected) {
  auto reading = read_jws(token, kCatalogueTokenType, expected.public_key_pem, kClaimsDepth);
  if (!reading.claims) {
    // Named for what it is, with the catalogue in the sentence.
    if (reading.refusal.starts_with("the token is not a "))
      return refuse("the token is not a catalogue (typ " + std::string(kCatalogueTokenType) + ")");
    return refuse(reading.refusal);
  }
  const json& payload = *reading.claims;
  const auto version = integer_member(payload, "ver");
  const auto services = payload.find("services");
  auto common = check_common_claims(payload, expected.issuer, expected.audience, expected.now,
                                    expected.max_clock_skew, expected.max_lifetime);
  if (!common.refusal.empty())
    return refuse(common.refusal);
  if (!version || services == payload.end() || !services->is_array())
    return refuse("the claims need iss, aud, iat, exp, ver (integers) and a services array");
  if (*version < expected.held_version)
    return refuse("version " + std::to_string(*version) + " is older than the version held (" +
                  std::to_string(expected.held_version) + "): a replay");

  CatalogueClaims claims;
  claims.issuer = expected.issuer;
  claims.audience = expected.audience;
  claims.version = *version;
  claims.issued_at = common.issued_at;
  claims.expires_at = common.expires_at;
  claims.services = *services;
  return CatalogueCheck{std::move(claims), {}};
}

}  // namespace lienthong::federation

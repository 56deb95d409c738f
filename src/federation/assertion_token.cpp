#include "lienthong/federation/assertion_token.hpp"

#include <algorithm>
#include <set>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/identifiers.hpp"

#include "jws.hpp"
#include "token_claims.hpp"

namespace lienthong::federation {
namespace {

using nlohmann::json;

constexpr int kClaimsDepth = 4;

AssertionCheck refuse(std::string why) {
  return AssertionCheck{std::nullopt, "assertion refused: " + std::move(why)};
}

}  // namespace

std::string sign_assertion(const AssertionClaims& claims, const audit::SigningKey& key) {
  json payload{{"iss", claims.issuer},
               {"aud", claims.audience},
               {"jti", claims.token_id},
               {"iat", to_seconds(claims.issued_at)},
               {"exp", to_seconds(claims.expires_at)},
               {"consumer", claims.consumer},
               {"service", claims.service},
               {"purpose", claims.purpose},
               {"user", claims.user_id},
               {"message_id", claims.message_id},
               {"body_sha256", claims.body_sha256},
               {"hops", claims.hops}};
  if (!claims.previous_sha256.empty())
    payload["previous_sha256"] = claims.previous_sha256;
  if (!claims.operation.empty())
    payload["operation"] = claims.operation;
  return sign_jws(kAssertionTokenType, payload, key);
}

AssertionCheck verify_assertion(std::string_view token, const AssertionExpectation& expected) {
  auto reading = read_jws(token, kAssertionTokenType, expected.public_key_pem, kClaimsDepth);
  if (!reading.claims)
    return refuse(reading.refusal);
  const json& payload = *reading.claims;
  auto common = check_common_claims(payload, expected.issuer, expected.audience, expected.now,
                                    expected.max_clock_skew, expected.max_lifetime);
  if (!common.refusal.empty())
    return refuse(common.refusal);

  AssertionClaims claims;
  claims.issuer = expected.issuer;
  claims.audience = expected.audience;
  claims.issued_at = common.issued_at;
  claims.expires_at = common.expires_at;
  const std::pair<const char*, std::string*> texts[] = {
      {"jti", &claims.token_id},           {"consumer", &claims.consumer},
      {"service", &claims.service},        {"purpose", &claims.purpose},
      {"user", &claims.user_id},           {"message_id", &claims.message_id},
      {"body_sha256", &claims.body_sha256}};
  for (const auto& [name, field] : texts) {
    const std::string* value = text_member(payload, name);
    if (value == nullptr)
      return refuse(std::string("the claim ") + name + " is missing or not a string");
    *field = *value;
  }
  const auto hops = payload.find("hops");
  if (hops == payload.end() || !hops->is_array() || hops->empty())
    return refuse("the claim hops is missing or empty");
  for (const auto& hop : *hops) {
    if (!hop.is_string())
      return refuse("every hop is an instance");
    claims.hops.push_back(hop.get<std::string>());
  }

  if (claims.token_id.empty() || claims.message_id.empty())
    return refuse("jti and message_id name the request and its message");
  if (claims.hops.back() != expected.issuer)
    return refuse("the last hop is " + claims.hops.back() + ", not the peer " + expected.issuer);
  if (std::set<std::string>(claims.hops.begin(), claims.hops.end()).size() != claims.hops.size() ||
      std::find(claims.hops.begin(), claims.hops.end(), expected.audience) != claims.hops.end())
    return refuse("the request has already crossed a hub twice or this hub: a loop");
  if (claims.hops.size() > expected.max_hops)
    return refuse("the request crossed " + std::to_string(claims.hops.size()) +
                  " hubs, more than the " + std::to_string(expected.max_hops) + " allowed");
  const auto consumer = SystemId::parse(claims.consumer);
  if (!consumer || consumer->instance != claims.hops.front())
    return refuse("the consumer " + claims.consumer + " is not a system of " + claims.hops.front() +
                  ", the hub it started from");
  if (claims.body_sha256 != sha256_hex(expected.body))
    return refuse("the body is not the one the peer vouched for (SHA-256 differs)");
  if (const auto previous = payload.find("previous_sha256"); previous != payload.end()) {
    if (!previous->is_string() || !audit::is_chain_link(previous->get<std::string>()))
      return refuse("previous_sha256 is not a SHA-256 in hex");
    claims.previous_sha256 = previous->get<std::string>();
  }
  if (const auto operation = payload.find("operation"); operation != payload.end()) {
    if (!operation->is_string() || operation->get_ref<const std::string&>().empty())
      return refuse("operation is not METHOD /path");
    claims.operation = operation->get<std::string>();
  }
  if (claims.hops.size() > 1 && claims.previous_sha256.empty())
    return refuse(
        "a hub passing on another hub's exchange names the assertion it received "
        "(previous_sha256)");
  return AssertionCheck{std::move(claims), {}};
}

}  // namespace lienthong::federation

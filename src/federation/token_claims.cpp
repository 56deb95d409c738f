#include "token_claims.hpp"

namespace lienthong::federation {

using nlohmann::json;

std::int64_t to_seconds(TokenTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

const std::string* text_member(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

std::optional<std::int64_t> integer_member(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer())
    return std::nullopt;
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    return std::nullopt;
  return it->get<std::int64_t>();
}

CommonClaims check_common_claims(const json& claims, const std::string& issuer,
                                 const std::string& audience, TokenTime now,
                                 std::chrono::seconds max_skew, std::chrono::seconds max_lifetime) {
  CommonClaims result;
  const std::string* iss = text_member(claims, "iss");
  const std::string* aud = text_member(claims, "aud");
  const auto issued = integer_member(claims, "iat");
  const auto expires = integer_member(claims, "exp");
  if (iss == nullptr || aud == nullptr || !issued || !expires) {
    result.refusal = "the claims need iss, aud (strings), iat and exp (integers)";
    return result;
  }
  if (*iss != issuer) {
    result.refusal = "issued by " + *iss + ", not by the peer " + issuer;
    return result;
  }
  if (*aud != audience) {
    result.refusal = "issued for " + *aud + ", not for this hub (" + audience + ")";
    return result;
  }
  const std::int64_t at = to_seconds(now);
  if (*issued > at + max_skew.count()) {
    result.refusal = "issued " + std::to_string(*issued - at) +
                     " s in the future: the peer's clock is off by more than the allowed " +
                     std::to_string(max_skew.count()) + " s";
  } else if (*expires <= at) {
    result.refusal = "expired " + std::to_string(at - *expires) + " s ago";
  } else if (*expires <= *issued || *expires - *issued > max_lifetime.count()) {
    result.refusal = "valid for " + std::to_string(*expires - *issued) + " s, outside (0, " +
                     std::to_string(max_lifetime.count()) + "] s";
  }
  result.issued_at = TokenTime(std::chrono::seconds(*issued));
  result.expires_at = TokenTime(std::chrono::seconds(*expires));
  return result;
}

}  // namespace lienthong::federation

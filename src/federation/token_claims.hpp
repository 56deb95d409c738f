#pragma once
// Claims every federation token carries and every receiver checks the same
// way: who issued it (iss), for whom (aud), when (iat), until when (exp).
// Private to src/federation/.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace lienthong::federation {

using TokenTime = std::chrono::system_clock::time_point;

std::int64_t to_seconds(TokenTime time);
const std::string* text_member(const nlohmann::json& object, const char* name);
std::optional<std::int64_t> integer_member(const nlohmann::json& object, const char* name);

struct CommonClaims {
  std::string refusal;  // empty when the claims hold
  TokenTime issued_at{};
  TokenTime expires_at{};
};

// iss and aud as expected; iat no further ahead of `now` than `max_skew`;
// exp after now and after iat, at most `max_lifetime` after iat.
CommonClaims check_common_claims(const nlohmann::json& claims, const std::string& issuer,
                                 const std::string& audience, TokenTime now,
                                 std::chrono::seconds max_skew, std::chrono::seconds max_lifetime);

}  // namespace lienthong::federation

#pragma once
// The compact JWS (RFC 7515) every federation token is: EdDSA (RFC 8037)
// only, a "typ" naming what the token is, the signer's key id as "kid".
// Private to src/federation/: catalogues and assertions add their claims.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lienthong::audit {
class SigningKey;
}

namespace lienthong::federation {

std::string sign_jws(std::string_view typ, const nlohmann::json& claims,
                     const audit::SigningKey& key);

// The claims object of a token of type `typ` signed by the key
// `public_key_pem`, or why not (one sentence).
struct JwsReading {
  std::optional<nlohmann::json> claims;
  std::string refusal;
};
JwsReading read_jws(std::string_view token, std::string_view typ, std::string_view public_key_pem,
                    int max_claims_depth);

}  // namespace lienthong::federation

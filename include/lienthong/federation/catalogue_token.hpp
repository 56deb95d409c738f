#pragma once
// A hub's catalogue for one peer hub, as a signed token: a JWS in compact
// form (RFC 7515) signed with the publishing hub's Ed25519 key ("EdDSA",
// RFC 8037), so that any tool that reads JWS can check it, and so that a
// catalogue kept or passed on stays checkable without the channel it came by.
//
// The claims say who published it (`iss`, an instance id), for which peer
// (`aud`), when (`iat`), until when it may be used (`exp`) and its version
// (`ver`, which grows with every catalogue the publisher issues); `services`
// lists what the peer may see.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lienthong::audit {
class SigningKey;
}

namespace lienthong::federation {

using TimePoint = std::chrono::system_clock::time_point;

// The "typ" of a catalogue token, so that no other token signed by the same
// key can be taken for one.
inline constexpr std::string_view kCatalogueTokenType = "lienthong-catalogue+jwt";

struct CatalogueClaims {
  std::string issuer;    // the publishing hub's instance, e.g. "VN"
  std::string audience;  // the peer hub's instance it is issued for, e.g. "VN-HN"
  std::int64_t version = 0;
  TimePoint issued_at{};
  TimePoint expires_at{};
  nlohmann::json services = nlohmann::json::array();
};

// The compact JWS of `claims`, signed by `key` (its key id is the "kid").
std::string sign_catalogue(const CatalogueClaims& claims, const audit::SigningKey& key);

// What a receiving hub expects of a peer's catalogue.
struct CatalogueExpectation {
  std::string issuer;          // the peer's registered instance
  std::string audience;        // our own instance
  std::string public_key_pem;  // the peer's registered catalogue key
  TimePoint now{};
  // How far the peer's clock may be ahead of ours (iat in the future).
  std::chrono::seconds max_clock_skew{300};
  // A catalogue may not claim to be valid for longer than this.
  std::chrono::seconds max_lifetime{std::chrono::hours(24)};
  // The version of the catalogue already held: an older one is a replay.
  std::int64_t held_version = 0;
};

// The checked claims, or why the token is refused (one sentence, for the
// peer's status in the registry and the log).
struct CatalogueCheck {
  std::optional<CatalogueClaims> claims;
  std::string refusal;
};

CatalogueCheck verify_catalogue(std::string_view token, const CatalogueExpectation& expected);

}  // namespace lienthong::federation

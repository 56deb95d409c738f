#pragma once
// What a forwarding hub vouches for when it passes an exchange to the next
// hub: the original caller, the service, why and for whom, which message and
// which body (its SHA-256), when, and the hubs it has crossed. A compact JWS
// signed with the forwarding hub's federation key, sent as the
// `Lienthong-Assertion` header; the next hub checks it against the key it
// registered for that peer before it checks its own agreement for the
// original caller (docs/federation.md).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lienthong/federation/hop_headers.hpp"

namespace lienthong::audit {
class SigningKey;
}

namespace lienthong::federation {

inline constexpr std::string_view kAssertionTokenType = "lienthong-assertion+jwt";

struct AssertionClaims {
  using TimePoint = std::chrono::system_clock::time_point;
  std::string issuer;    // the forwarding hub's instance
  std::string audience;  // the next hub's instance
  std::string token_id;  // unique per forwarded request (the forwarding hub's request id)
  TimePoint issued_at{};
  TimePoint expires_at{};
  std::string consumer;    // the original caller, INSTANCE/CLASS/MEMBER/SYSTEM
  std::string service;     // PROVIDER/SERVICE/VERSION
  std::string purpose;     // may be empty
  std::string user_id;     // may be empty
  std::string message_id;  // the envelope's header.id, or X-Road-Id
  // An X-Road REST (r1) exchange: "METHOD /path?query" after the service
  // code, as the caller sent it. Empty for an envelope (its body says all).
  std::string operation;
  std::string body_sha256;
  std::vector<std::string> hops;  // instances crossed, the issuer last
  // A hub that passes on an exchange another hub vouched for (transit): the
  // SHA-256 of the assertion it received, linking the two. Empty at the first hub.
  std::string previous_sha256;
};

std::string sign_assertion(const AssertionClaims& claims, const audit::SigningKey& key);

struct AssertionExpectation {
  std::string issuer;          // the peer the request came from
  std::string audience;        // our own instance
  std::string public_key_pem;  // that peer's registered key
  std::chrono::system_clock::time_point now{};
  std::chrono::seconds max_clock_skew{300};
  std::chrono::seconds max_lifetime{300};
  std::string_view body;  // the body that came with it
  std::size_t max_hops = 4;
};

struct AssertionCheck {
  std::optional<AssertionClaims> claims;
  std::string refusal;
};

// Also refused: a consumer not of the first hop's instance (a hub vouches
// for its own systems), a hop list that does not end with the issuer, that
// repeats a hub or already holds us (a loop), or is longer than max_hops,
// a body whose SHA-256 is not the one vouched for, and an assertion of more
// than one hop without the hash of the one before it.
AssertionCheck verify_assertion(std::string_view token, const AssertionExpectation& expected);

}  // namespace lienthong::federation

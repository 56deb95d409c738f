#include "lienthong/federation/catalogue_token.hpp"

#include <algorithm>
#include <array>

#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/json_parse.hpp"

namespace lienthong::federation {
namespace {

using nlohmann::json;

// A header never nests; a catalogue's schemas may, as deep as the hub
// accepts in a schema upload.
constexpr int kHeaderDepth = 2;
constexpr int kPayloadDepth = 128;

// RFC 7515 base64url: the URL-safe alphabet, no padding, from the standard
// encoding (never our own base64).
std::string to_base64url(std::string_view bytes) {
  std::string text = base64_encode(bytes);
  while (!text.empty() && text.back() == '=')
    text.pop_back();
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  return text;
}

std::optional<std::string> from_base64url(std::string_view text) {
  const bool url_safe = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
  if (text.empty() || !url_safe || text.size() % 4 == 1)
    return std::nullopt;
  std::string standard(text);
  std::replace(standard.begin(), standard.end(), '-', '+');
  std::replace(standard.begin(), standard.end(), '_', '/');
  standard.append((4 - standard.size() % 4) % 4, '=');
  return base64_decode(standard);
}

std::int64_t to_seconds(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

TimePoint from_seconds(std::int64_t seconds) {
  return TimePoint(std::chrono::seconds(seconds));
}

CatalogueCheck refuse(std::string why) {
  return CatalogueCheck{std::nullopt, std::move(why)};
}

// The JSON object a token part decodes to, or nullopt.
std::optional<json> decode_object(std::string_view part, int max_depth) {
  const auto bytes = from_base64url(part);
  if (!bytes)
    return std::nullopt;
  auto reading = parse_json(*bytes, max_depth);
  // A repeated name is refused: another reader of the same token could see
  // the other value (docs/security.md, "Two parsers reading one text differently").
  if (!reading.document || reading.repeated_name || !reading.document->is_object())
    return std::nullopt;
  return std::move(reading.document);
}

const std::string* text_member(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

std::optional<std::int64_t> integer_member(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !(it->is_number_integer()))
    return std::nullopt;
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

std::string sign_catalogue(const CatalogueClaims& claims, const audit::SigningKey& key) {
  const json header{{"alg", "EdDSA"}, {"kid", key.key_id()}, {"typ", kCatalogueTokenType}};
  const json payload{{"iss", claims.issuer},
                     {"aud", claims.audience},
                     {"iat", to_seconds(claims.issued_at)},
                     {"exp", to_seconds(claims.expires_at)},
                     {"ver", claims.version},
                     {"services", claims.services}};
  std::string signing_input = to_base64url(header.dump()) + "." + to_base64url(payload.dump());
  const auto signature = base64_decode(key.sign(signing_input));
  return signing_input + "." + to_base64url(signature.value_or(std::string()));
}

CatalogueCheck verify_catalogue(std::string_view token, const CatalogueExpectation& expected) {
  std::array<std::string_view, 3> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto dot = token.find('.', start);
    if ((i < 2) == (dot == std::string_view::npos))
      return refuse("not a compact JWS (three base64url parts separated by dots)");
    parts[i] = token.substr(start, i < 2 ? dot - start : std::string_view::npos);
    start = dot + 1;
  }

  const auto header = decode_object(parts[0], kHeaderDepth);
  if (!header)
    return refuse("the token's header is not a base64url JSON object");
  const std::string* alg = text_member(*header, "alg");
  if (alg == nullptr || *alg != "EdDSA")
    return refuse("the token is not signed with EdDSA (Ed25519), the only algorithm accepted");
  const std::string* typ = text_member(*header, "typ");
  if (typ == nullptr || *typ != kCatalogueTokenType)
    return refuse("the token is not a catalogue (typ " + std::string(kCatalogueTokenType) + ")");

  const auto registered_key = audit::public_key_id(expected.public_key_pem);
  if (!registered_key.has_value())
    return refuse("the peer's registered catalogue key cannot be read");
  const std::string* kid = text_member(*header, "kid");
  if (kid == nullptr || *kid != registered_key.value())
    return refuse("signed by key " + (kid == nullptr ? std::string("(none named)") : *kid) +
                  ", not by the peer's registered key " + registered_key.value());
  const auto signature = from_base64url(parts[2]);
  const std::string_view signing_input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!signature)
    return refuse("the token's signature is not base64url");
  const auto valid =
      audit::verify_signature(expected.public_key_pem, signing_input, base64_encode(*signature));
  if (!valid.has_value() || !valid.value())
    return refuse("the signature does not match the peer's registered key");

  const auto payload = decode_object(parts[1], kPayloadDepth);
  if (!payload)
    return refuse("the token's claims are not a base64url JSON object");
  const std::string* issuer = text_member(*payload, "iss");
  const std::string* audience = text_member(*payload, "aud");
  const auto issued = integer_member(*payload, "iat");
  const auto expires = integer_member(*payload, "exp");
  const auto version = integer_member(*payload, "ver");
  const auto services = payload->find("services");
  if (issuer == nullptr || audience == nullptr || !issued || !expires || !version ||
      services == payload->end() || !services->is_array())
    return refuse("the claims need iss, aud, iat, exp, ver (integers) and a services array");
  if (*issuer != expected.issuer)
    return refuse("issued by " + *issuer + ", not by the peer " + expected.issuer);
  if (*audience != expected.audience)
    return refuse("issued for " + *audience + ", not for this hub (" + expected.audience + ")");

  const std::int64_t now = to_seconds(expected.now);
  if (*issued > now + expected.max_clock_skew.count())
    return refuse("issued " + std::to_string(*issued - now) +
                  " s in the future: the peer's clock is off by more than the allowed " +
                  std::to_string(expected.max_clock_skew.count()) + " s");
  if (*expires <= now)
    return refuse("expired " + std::to_string(now - *expires) + " s ago");
  if (*expires <= *issued || *expires - *issued > expected.max_lifetime.count())
    return refuse("valid for " + std::to_string(*expires - *issued) + " s, outside (0, " +
                  std::to_string(expected.max_lifetime.count()) + "] s");
  if (*version < expected.held_version)
    return refuse("version " + std::to_string(*version) + " is older than the version held (" +
                  std::to_string(expected.held_version) + "): a replay");

  CatalogueClaims claims;
  claims.issuer = *issuer;
  claims.audience = *audience;
  claims.version = *version;
  claims.issued_at = from_seconds(*issued);
  claims.expires_at = from_seconds(*expires);
  claims.services = *services;
  return CatalogueCheck{std::move(claims), {}};
}

}  // namespace lienthong::federation

#include "jws.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <unordered_map>

#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/json_parse.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::federation {
namespace {

using nlohmann::json;

constexpr int kHeaderDepth = 2;

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

JwsReading refuse(std::string why) {
  return JwsReading{std::nullopt, std::move(why)};
}

// The peers' registered keys, read from PEM once per thread: decoding one
// costs several times verifying a signature with it, on every exchange a
// peer passes on. Few peers, so a full cache is simply started over.
const audit::VerifyingKey* verifying_key(std::string_view pem) {
  constexpr std::size_t kMaxKeys = 256;
  thread_local std::unordered_map<std::string, audit::VerifyingKey, registry::TransparentHash,
                                  std::equal_to<>>
      keys;
  if (const auto found = keys.find(pem); found != keys.end())
    return &found->second;
  auto key = audit::VerifyingKey::from_pem(pem);
  if (!key.has_value())
    return nullptr;
  if (keys.size() >= kMaxKeys)
    keys.clear();
  return &keys.emplace(std::string(pem), std::move(key).value()).first->second;
}

}  // namespace

std::string sign_jws(std::string_view typ, const json& claims, const audit::SigningKey& key) {
  const json header{{"alg", "EdDSA"}, {"kid", key.key_id()}, {"typ", typ}};
  std::string signing_input = to_base64url(header.dump()) + "." + to_base64url(claims.dump());
  const auto signature = base64_decode(key.sign(signing_input));
  return signing_input + "." + to_base64url(signature.value_or(std::string()));
}

JwsReading read_jws(std::string_view token, std::string_view typ, std::string_view public_key_pem,
                    int max_claims_depth) {
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
  const std::string* token_type = text_member(*header, "typ");
  if (token_type == nullptr || *token_type != typ)
    return refuse("the token is not a " + std::string(typ));

  const audit::VerifyingKey* registered_key = verifying_key(public_key_pem);
  if (registered_key == nullptr)
    return refuse("the peer's registered key cannot be read");
  const std::string* kid = text_member(*header, "kid");
  if (kid == nullptr || *kid != registered_key->key_id())
    return refuse("signed by key " + (kid == nullptr ? std::string("(none named)") : *kid) +
                  ", not by the peer's registered key " + registered_key->key_id());
  const auto signature = from_base64url(parts[2]);
  const std::string_view signing_input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!signature)
    return refuse("the token's signature is not base64url");
  if (!registered_key->verify(signing_input, *signature))
    return refuse("the signature does not match the peer's registered key");

  auto claims = decode_object(parts[1], max_claims_depth);
  if (!claims)
    return refuse("the token's claims are not a base64url JSON object");
  return JwsReading{std::move(claims), {}};
}

}  // namespace lienthong::federation

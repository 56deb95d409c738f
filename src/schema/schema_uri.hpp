#pragma once
// Private to schema/: the URIs that "$id" and "$ref" hold (RFC 3986, through
// Boost.URL) and the JSON pointers in their fragments (RFC 6901).

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lienthong::schema::detail {

struct UriParts {
  std::string resource;  // the absolute URI without its fragment
  std::string fragment;  // percent-decoded, without '#'; empty when none
  bool has_fragment = false;
};

// `reference` resolved against the absolute URI `base`; nullopt when either
// is not a URI.
std::optional<UriParts> resolve_uri(std::string_view base, std::string_view reference);

// The value `pointer` (an RFC 6901 JSON pointer, "" for the whole) names in
// `document`, or nullptr.
const nlohmann::json* follow_pointer(const nlohmann::json& document, std::string_view pointer);

// Appends `token` to a JSON pointer, escaped ("~" as "~0", "/" as "~1").
void append_pointer_token(std::string& pointer, std::string_view token);

}  // namespace lienthong::schema::detail

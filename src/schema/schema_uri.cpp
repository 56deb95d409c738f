#include "schema_uri.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace lienthong::schema::detail {

std::optional<UriParts> resolve_uri(std::string_view base, std::string_view reference) {
  const auto parsed_base = boost::urls::parse_uri(base);
  const auto parsed_reference = boost::urls::parse_uri_reference(reference);
  if (!parsed_base.has_value() || !parsed_reference.has_value())
    return std::nullopt;
  boost::urls::url resolved;
  if (!boost::urls::resolve(*parsed_base, *parsed_reference, resolved).has_value())
    return std::nullopt;
  UriParts parts;
  parts.has_fragment = resolved.has_fragment();
  if (parts.has_fragment)
    parts.fragment = std::string(resolved.fragment());
  resolved.remove_fragment();
  resolved.normalize();
  parts.resource = std::string(resolved.buffer());
  return parts;
}

const nlohmann::json* follow_pointer(const nlohmann::json& document, std::string_view pointer) {
  const nlohmann::json* at = &document;
  if (pointer.empty())
    return at;
  if (pointer.front() != '/')
    return nullptr;
  pointer.remove_prefix(1);
  for (;;) {
    const auto slash = pointer.find('/');
    const auto raw = pointer.substr(0, slash);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token.push_back(raw[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        token.push_back(raw[i]);
      }
    }
    if (at->is_object()) {
      const auto it = at->find(token);
      if (it == at->end())
        return nullptr;
      at = &*it;
    } else if (at->is_array()) {
      if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0') ||
          token.find_first_not_of("0123456789") != std::string::npos)
        return nullptr;
      const auto index = std::stoul(token);
      if (index >= at->size())
        return nullptr;
      at = &(*at)[index];
    } else {
      return nullptr;
    }
    if (slash == std::string_view::npos)
      return at;
    pointer.remove_prefix(slash + 1);
  }
}

void append_pointer_token(std::string& pointer, std::string_view token) {
  // Runs for every property of every validated object: whole runs of
  // characters are appended, not one character at a time.
  pointer.push_back('/');
  for (auto at = token.find_first_of("~/"); at != std::string_view::npos;
       at = token.find_first_of("~/")) {
    pointer.append(token.substr(0, at));
    pointer.append(token[at] == '~' ? "~0" : "~1");
    token.remove_prefix(at + 1);
  }
  pointer.append(token);
}

}  // namespace lienthong::schema::detail

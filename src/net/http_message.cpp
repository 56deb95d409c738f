#include "lienthong/net/http_message.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace lienthong::net {

std::string_view find_header(const std::vector<Header>& headers, std::string_view name) {
  const auto equal_ci = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (const auto& h : headers) {
    if (equal_ci(h.name, name))
      return h.value;
  }
  return {};
}

bool is_json_media_type(std::string_view content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ')
    media.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  return media.size() == kJson.size() &&
         std::equal(media.begin(), media.end(), kJson.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == y;
         });
}

bool is_utf8_json_media_type(std::string_view content_type) {
  if (!is_json_media_type(content_type))
    return false;
  const auto lower = [](std::string_view text) {
    std::string out(text);
    for (auto& c : out)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  // Parameters: ;name=value or ;name="value", names case-insensitive (RFC 9110 §5.6.6).
  std::string_view rest = content_type;
  for (auto semicolon = rest.find(';'); semicolon != std::string_view::npos;
       semicolon = rest.find(';')) {
    rest.remove_prefix(semicolon + 1);
    auto parameter = rest.substr(0, rest.find(';'));
    while (!parameter.empty() && (parameter.front() == ' ' || parameter.front() == '\t'))
      parameter.remove_prefix(1);
    while (!parameter.empty() && (parameter.back() == ' ' || parameter.back() == '\t'))
      parameter.remove_suffix(1);
    const auto equals = parameter.find('=');
    if (lower(parameter.substr(0, equals)) != "charset")
      continue;
    auto value =
        equals == std::string_view::npos ? std::string_view() : parameter.substr(equals + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (lower(value) != "utf-8" && lower(value) != "utf8")
      return false;
  }
  return true;
}

HttpResponse HttpResponse::with_body(int status, std::string body, std::string content_type) {
  HttpResponse response;
  response.status = status;
  response.headers.push_back({"Content-Type", std::move(content_type)});
  response.body = std::move(body);
  return response;
}

std::string_view HttpRequest::path() const {
  const std::string_view t(target);
  return t.substr(0, t.find('?'));
}

}  // namespace lienthong::net

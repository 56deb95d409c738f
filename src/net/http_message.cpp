#include "lienthong/net/http_message.hpp"

#include <algorithm>
#include <cctype>

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

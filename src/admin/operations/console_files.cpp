#include "operations/console_files.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <utility>

namespace lienthong::admin {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kContentTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
}};

// Plain names only: no empty, "." or ".." segment, no character that could
// mean something to the file system.
bool is_plain_path(std::string_view path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..")
      return false;
    const bool plain = std::all_of(segment.begin(), segment.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '-' || c == '_';
    });
    if (!plain)
      return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

Result<net::HttpResponse> console_file(const std::string& console_dir, std::string_view relative) {
  const std::string name = relative.empty() ? "index.html" : std::string(relative);
  const auto type = std::find_if(kContentTypes.begin(), kContentTypes.end(),
                                 [&](const auto& entry) { return name.ends_with(entry.first); });
  if (!is_plain_path(name) || type == kContentTypes.end())
    return make_error(ErrorCode::kClientNotFound, "no console file at this path");
  std::ifstream file(console_dir + "/" + name, std::ios::binary);
  if (!file)
    return make_error(ErrorCode::kClientNotFound, "no console file at this path");
  std::ostringstream content;
  content << file.rdbuf();
  auto response = net::HttpResponse::with_body(200, content.str(), std::string(type->second));
  response.headers.push_back({"Cache-Control", "no-cache"});
  response.headers.push_back({"X-Content-Type-Options", "nosniff"});
  response.headers.push_back({"Referrer-Policy", "no-referrer"});
  response.headers.push_back(
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"});
  return response;
}

}  // namespace lienthong::admin

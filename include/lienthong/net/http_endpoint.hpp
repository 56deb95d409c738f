#pragma once
// Where a provider system listens (net/http_endpoint.cpp).

#include <cstdint>
#include <string>
#include <string_view>

#include "lienthong/core/result.hpp"

namespace lienthong::net {

// Where a provider system listens: parsed once (from its registered base URL)
// when the registry snapshot is built, never per request.
struct HttpEndpoint {
  bool tls = false;
  std::string host;  // name or IP literal (without brackets)
  std::uint16_t port = 0;
  std::string base_path;  // without trailing '/', may be empty

  // Accepts absolute http:// and https:// URLs without user info, query or fragment.
  static Result<HttpEndpoint> parse(std::string_view url);
  std::string to_string() const;  // origin + base path
  std::string origin() const;     // scheme://host[:port], the pooling key
  std::string host_header() const;
};

}  // namespace lienthong::net

#include "lienthong/net/http_endpoint.hpp"

#include <charconv>

#include <boost/url/parse.hpp>

namespace lienthong::net {

Result<HttpEndpoint> HttpEndpoint::parse(std::string_view url) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed)
    return make_error(ErrorCode::kClientBadRequest, "not an absolute URL");
  const auto& u = *parsed;
  HttpEndpoint endpoint;
  if (u.scheme() == "https") {
    endpoint.tls = true;
  } else if (u.scheme() != "http") {
    return make_error(ErrorCode::kClientBadRequest, "the URL scheme must be http or https");
  }
  if (u.has_userinfo() || u.has_query() || u.has_fragment()) {
    return make_error(ErrorCode::kClientBadRequest,
                      "the URL must not carry user info, a query or a fragment");
  }
  endpoint.host = u.encoded_host_address();
  if (endpoint.host.empty())
    return make_error(ErrorCode::kClientBadRequest, "the URL has no host");
  if (endpoint.host.front() == '[')
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  endpoint.port = endpoint.tls ? 443 : 80;
  if (u.has_port()) {
    const auto port = u.port_number();
    if (port == 0)
      return make_error(ErrorCode::kClientBadRequest, "the URL port is invalid");
    endpoint.port = port;
  }
  endpoint.base_path = u.encoded_path();
  while (!endpoint.base_path.empty() && endpoint.base_path.back() == '/') {
    endpoint.base_path.pop_back();
  }
  return endpoint;
}

std::string HttpEndpoint::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  const std::string h = v6 ? "[" + host + "]" : host;
  const bool default_port = (tls && port == 443) || (!tls && port == 80);
  return default_port ? h : h + ":" + std::to_string(port);
}

std::string HttpEndpoint::origin() const {
  return std::string(tls ? "https://" : "http://") + host_header();
}

std::string HttpEndpoint::to_string() const {
  return origin() + base_path;
}

}  // namespace lienthong::net

#include "beast_conversions.hpp"

#include <array>

#include <boost/beast/core/string.hpp>

#include "lienthong/net/http_fields.hpp"

namespace lienthong::net::detail {

bool is_hop_by_hop(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kHopByHop{
      "connection",          "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te",         "trailer",
      "transfer-encoding",   "upgrade",    "content-length"};
  for (const auto hop : kHopByHop) {
    if (boost::beast::iequals(hop, name))
      return true;
  }
  return false;
}

bool is_passed_on(const Header& header) {
  return !is_hop_by_hop(header.name) && is_field_name(header.name) && is_field_value(header.value);
}

http::response<http::string_body> to_beast(HttpResponse&& response, unsigned version,
                                           bool keep_alive) {
  http::response<http::string_body> out{static_cast<http::status>(response.status), version};
  for (auto& h : response.headers) {
    if (is_passed_on(h))
      out.set(h.name, std::move(h.value));
  }
  out.body() = std::move(response.body);
  out.keep_alive(keep_alive && !response.close_connection);
  out.prepare_payload();
  return out;
}

http::response<http::empty_body> to_beast_chunked_head(HttpResponse& response, unsigned version,
                                                       bool keep_alive) {
  http::response<http::empty_body> out{static_cast<http::status>(response.status), version};
  for (auto& h : response.headers) {
    if (is_passed_on(h))
      out.set(h.name, std::move(h.value));
  }
  out.keep_alive(keep_alive && !response.close_connection);
  out.chunked(true);
  return out;
}

}  // namespace lienthong::net::detail

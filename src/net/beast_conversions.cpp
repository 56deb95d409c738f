#include "beast_conversions.hpp"

#include <array>

#include <boost/beast/core/string.hpp>

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

http::response<http::string_body> to_beast(HttpResponse&& response, unsigned version,
                                           bool keep_alive) {
  http::response<http::string_body> out{static_cast<http::status>(response.status), version};
  for (auto& h : response.headers) {
    if (!is_hop_by_hop(h.name))
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
    if (!is_hop_by_hop(h.name))
      out.set(h.name, std::move(h.value));
  }
  out.keep_alive(keep_alive && !response.close_connection);
  out.chunked(true);
  return out;
}

}  // namespace lienthong::net::detail

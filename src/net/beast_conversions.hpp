#pragma once
// Private to net/: conversions between Beast messages and our HttpRequest /
// HttpResponse, shared by the server and the client.

#include <boost/beast/http.hpp>

#include "lienthong/net/http_message.hpp"

namespace lienthong::net::detail {

namespace http = boost::beast::http;

template <class Fields>
std::vector<Header> copy_headers(const Fields& fields) {
  std::vector<Header> out;
  out.reserve(8);
  for (const auto& field : fields) {
    out.push_back(Header{std::string(field.name_string()), std::string(field.value())});
  }
  return out;
}

// Headers the transport owns; never copied between messages.
bool is_hop_by_hop(std::string_view name);

// Whether a response header is written: not hop-by-hop, and a name and value
// that can only be read as this one field (http_fields.hpp). An answer never
// carries a field that would split it.
bool is_passed_on(const Header& header);

http::response<http::string_body> to_beast(HttpResponse&& response, unsigned version,
                                           bool keep_alive);

// The head of a streamed response: Transfer-Encoding: chunked, no length.
http::response<http::empty_body> to_beast_chunked_head(HttpResponse& response, unsigned version,
                                                       bool keep_alive);

}  // namespace lienthong::net::detail

// libFuzzer target: a request head and body as the listeners read them:
// Beast's parser with the listener's limits, then the framing checks
// (RFC 9112 section 6.3) and the absolute-form reduction that run before a
// body is read. Input: raw bytes off the connection.
#include <cstddef>
#include <cstdint>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "request_framing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(false);
  boost::beast::error_code ec;
  auto consumed = parser.put(boost::asio::buffer(data, size), ec);
  if (ec && ec != http::error::need_more)
    return 0;
  if (!parser.is_header_done())
    return 0;
  (void)lienthong::net::detail::framing_error(parser.get().base());
  (void)lienthong::net::detail::origin_form(parser.get().target());
  // The body, as the listener reads it after an accepted head.
  parser.eager(true);
  while (!ec && consumed < size && !parser.is_done()) {
    const auto more = parser.put(boost::asio::buffer(data + consumed, size - consumed), ec);
    if (more == 0)
      break;
    consumed += more;
  }
  return 0;
}

#include "request_framing.hpp"

#include <vector>

#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>

namespace lienthong::net::detail {
namespace http = boost::beast::http;
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

// The elements of every field line named `field`, as one comma-separated list
// (RFC 9110 §5.3), empty elements dropped.
std::vector<std::string_view> list_elements(const RequestHead& head, http::field field) {
  std::vector<std::string_view> elements;
  const auto [first, last] = head.equal_range(field);
  for (auto line = first; line != last; ++line) {
    std::string_view value = line->value();
    for (;;) {
      const auto comma = value.find(',');
      const auto element = trim(value.substr(0, comma));
      if (!element.empty())
        elements.push_back(element);
      if (comma == std::string_view::npos)
        break;
      value.remove_prefix(comma + 1);
    }
  }
  return elements;
}

Error bad_framing(std::string why) {
  return make_error(ErrorCode::kClientBadRequest, std::move(why));
}

}  // namespace

std::optional<Error> framing_error(const RequestHead& head) {
  const auto codings = list_elements(head, http::field::transfer_encoding);
  const bool has_length = head.count(http::field::content_length) != 0;
  if (head.count(http::field::transfer_encoding) != 0) {
    if (head.version() < 11)
      return bad_framing("Transfer-Encoding is not allowed in an HTTP/1.0 request");
    if (codings.size() != 1 || !boost::beast::iequals(codings.front(), "chunked")) {
      return bad_framing(
          "the only Transfer-Encoding accepted is \"chunked\" (RFC 9112 §6.3); no other "
          "transfer coding, and none before or after it");
    }
    if (has_length)
      return bad_framing("a request may not carry both Transfer-Encoding and Content-Length");
  }
  if (has_length) {
    const auto lengths = list_elements(head, http::field::content_length);
    for (const auto length : lengths) {
      if (length != lengths.front())
        return bad_framing("the request's Content-Length values disagree");
    }
  }
  if (head.version() >= 11 && head.count(http::field::host) != 1)
    return bad_framing("an HTTP/1.1 request needs exactly one Host header (RFC 9112 §3.2)");
  return std::nullopt;
}

std::string origin_form(std::string_view target) {
  if (target.empty() || target.front() == '/')
    return std::string(target);
  const auto absolute = boost::urls::parse_absolute_uri(target);
  if (!absolute.has_value() || (absolute->scheme_id() != boost::urls::scheme::http &&
                                absolute->scheme_id() != boost::urls::scheme::https))
    return std::string(target);
  const auto path = absolute->encoded_path();
  std::string origin(path.empty() ? std::string_view("/") : std::string_view(path));
  if (absolute->has_query()) {
    origin.push_back('?');
    origin += absolute->encoded_query();
  }
  return origin;
}

}  // namespace lienthong::net::detail

#pragma once
// Private to net/: the checks on a request's head that decide where its body
// ends (RFC 9112 §6.3) and what it is addressed to (§3.2), before the body is
// read. Two readers of one byte stream that disagree on where a request ends
// is request smuggling; so a head this checker cannot frame unambiguously is
// answered 400 and the connection closed, never guessed at.

#include <optional>
#include <string>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

#include "lienthong/core/error.hpp"

namespace lienthong::net::detail {

using RequestHead = boost::beast::http::request_header<boost::beast::http::fields>;

// Client.BadRequest when the head is not unambiguously framed: a
// Transfer-Encoding that is not exactly "chunked", Transfer-Encoding with
// Content-Length or in HTTP/1.0, Content-Length values that disagree, or an
// HTTP/1.1 request without exactly one Host.
std::optional<Error> framing_error(const RequestHead& head);

// The origin-form ("/path?query") of a request target: an absolute-form
// target ("https://host/path?q", RFC 9112 §3.2.2) is reduced to its path and
// query; any other target is returned as it is.
std::string origin_form(std::string_view target);

}  // namespace lienthong::net::detail

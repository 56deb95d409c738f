#pragma once
// The contract between a listener and the application behind it.

#include <boost/asio/awaitable.hpp>

#include "lienthong/core/error.hpp"
#include "lienthong/net/http_message.hpp"

namespace lienthong::net {

class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The next piece of the body, or an empty string at its end. Runs on the
  // connection's I/O thread and must not block it. An exception ends the
  // connection without the final chunk, so the client sees the body is cut.
  virtual boost::asio::awaitable<std::string> next() = 0;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;

  // Answers one complete request. Runs on the connection's I/O thread and
  // must never block it.
  virtual boost::asio::awaitable<HttpResponse> handle(HttpRequest request) = 0;

  // Answers a request the listener could not read in full (too large, bad
  // syntax, too slow). `request` holds whatever was parsed (possibly only the
  // peer). The connection is closed after the answer.
  virtual boost::asio::awaitable<HttpResponse> reject(HttpRequest request, Error error) = 0;
};

}  // namespace lienthong::net

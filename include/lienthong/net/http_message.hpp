#pragma once
// Transport-neutral HTTP messages. Layers above net/ see only these, never
// Beast types, so they compile fast and can be tested without sockets.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lienthong::net {

struct Header {
  std::string name;
  std::string value;
};

// Finds a header by case-insensitive name; empty view when absent.
std::string_view find_header(const std::vector<Header>& headers, std::string_view name);

// True for "application/json" with or without parameters ("; charset=utf-8"), any case.
bool is_json_media_type(std::string_view content_type);

// JSON as the hub reads it (RFC 8259 §8.1: UTF-8): application/json with no
// charset parameter or charset=utf-8. JSON declared in another charset is not
// read as UTF-8 by guesswork; the hub answers 415.
bool is_utf8_json_media_type(std::string_view content_type);

// What the listener knows about the other end of the connection.
struct PeerInfo {
  std::string address;             // remote IP address
  std::string certificate_sha256;  // hex SHA-256 of the verified client certificate, or empty
};

struct HttpRequest {
  std::string method;  // upper case, e.g. "POST"
  std::string target;  // origin-form, e.g. "/exchange/v1/messages?x=1"
  std::vector<Header> headers;
  std::string body;
  PeerInfo peer;
  std::chrono::system_clock::time_point received_at{};

  std::string_view header(std::string_view name) const { return find_header(headers, name); }
  std::string_view path() const;  // target without the query
};

// A body produced piece by piece and sent chunked, for answers too large to
// hold in memory (audit exports). Defined in http_handler.hpp.
class BodyStream;

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;  // Content-Type goes here like any other header
  std::string body;
  bool close_connection = false;
  std::shared_ptr<BodyStream> stream;  // when set, sent instead of `body`

  std::string_view header(std::string_view name) const { return find_header(headers, name); }

  // A response with a body of the given media type ("application/json" by default).
  static HttpResponse with_body(int status, std::string body,
                                std::string content_type = "application/json");
};

}  // namespace lienthong::net

#pragma once
// The pieces of the X-Road Message Protocol for REST (r1) that do not depend
// on the pipeline: reading the request target, which headers cross the hub,
// the request hash, and X-Road-style error bodies.
//   ANY /r1/{instance}/{class}/{member}/{system}/{service}[/path][?query]
//   X-Road-Client: {instance}/{class}/{member}/{system}

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lienthong/core/identifiers.hpp"
#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"

namespace lienthong::exchange::xroad {

inline constexpr std::string_view kPrefix = "/r1/";

struct RestTarget {
  SystemId provider;
  std::string service_code;
  std::string path;   // after the service code, "" or starting with '/', still percent-encoded
  std::string query;  // without '?', "" when none
};

// Client.BadRequest naming what is wrong with the target or identifier.
Result<RestTarget> parse_target(std::string_view target);
// X-Road-Client: percent-encoded parts, four of them (a subsystem is our system).
Result<SystemId> parse_client(std::string_view header);

// Headers that must not cross the hub in either direction: hop-by-hop ones,
// those that reveal hosts, and the X-Road / Lienthong headers the hub sets
// (X-Lienthong-*, and Lienthong-*: a hop's assertion and receipt).
bool is_filtered_header(std::string_view name);

// base64(SHA-512(SHA-512(headers) + SHA-512(body))), or base64(SHA-512(headers))
// without a body, where `headers` is each received header as "name: value\r\n".
std::string request_hash(const net::HttpRequest& request);

// {"type": "Client.NoAgreement", "message": ..., "detail": request id} with
// X-Road-Error: type.
net::HttpResponse error_response(const Error& error, const std::string& request_id);

}  // namespace lienthong::exchange::xroad

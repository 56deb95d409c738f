#pragma once
// The syntax of what the hub writes onto the wire as HTTP/1.1 (RFC 9110 §5,
// RFC 9112 §3). Every outgoing request and response passes these checks in
// net/, whatever its header values came from (an envelope field, a registry
// entry, a provider's answer): a CR, LF or NUL in a value would end the field
// early and let its author write further fields or a whole second request.

#include <string_view>
#include <vector>

#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"

namespace lienthong::net {

// A field name is a non-empty RFC 9110 token.
bool is_field_name(std::string_view name);

// A field value holds visible characters, spaces, tabs and bytes >= 0x80
// (UTF-8 text), never another control character (CR, LF, NUL, DEL, ...).
bool is_field_value(std::string_view value);

// A method is a token; a request target is non-empty and has no space or
// control character.
bool is_request_target(std::string_view target);

// Client.BadRequest naming the first header whose name or value cannot be
// sent as it is; the value itself is not repeated (it may hold anything).
Status check_fields(const std::vector<Header>& headers);

// The same for a whole outgoing request: method, target and headers.
Status check_outgoing_request(const HttpRequest& request);

}  // namespace lienthong::net

#pragma once
// Identifiers the hub generates for messages and requests.

#include <string>
#include <string_view>

namespace lienthong {

// A new RFC 9562 UUIDv7 in canonical text form. Version 7 is time-ordered, so
// ids the hub generates keep audit indexes append-friendly.
std::string new_uuid_v7();

// True for a client-supplied message id: 1..128 characters of [A-Za-z0-9._:-].
bool is_valid_message_id(std::string_view id);

}  // namespace lienthong

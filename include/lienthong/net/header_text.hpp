#pragma once
// Header values that carry people's text: a purpose or a user's name in
// Vietnamese. Servlet containers, WSGI and most HTTP stacks read header
// bytes as ISO-8859-1, so raw UTF-8 arrives as mojibake. The hub writes such
// values in RFC 8187's ext-value form, UTF-8''<percent-encoded UTF-8>
// ("Tra cứu" -> UTF-8''Tra%20c%E1%BB%A9u), and reads that form from callers.

#include <string>
#include <string_view>

namespace lienthong::net {

// `text` as it goes into a header: unchanged when it is printable ASCII and
// does not itself read as the encoded form, else UTF-8''<percent-encoded>.
std::string encode_header_text(std::string_view text);

// The text of a header value written either way (the charset name is not
// case-sensitive); a value that only looks encoded is returned as received.
std::string decode_header_text(std::string_view value);

}  // namespace lienthong::net

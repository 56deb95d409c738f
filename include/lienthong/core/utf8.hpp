#pragma once
// Well-formed UTF-8 (RFC 3629): what JSON (RFC 8259) and XML messages must be
// in. The hub never normalises text (NFC stays NFC, NFD stays NFD: the bytes a
// system sent are the bytes it is audited and answered with); it only refuses
// or, where it must store untrusted text, replaces what is not UTF-8 at all.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lienthong {

// Length of the well-formed sequence starting at `text[i]`, or 0 when none
// starts there (an overlong form, a surrogate, above U+10FFFF, cut short, NUL).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// The code point of the well-formed sequence of `length` bytes (as returned
// by utf8_sequence_length) starting at `text[i]`.
char32_t utf8_code_point(std::string_view text, std::size_t i, std::size_t length);

// The longest prefix of `text` of at most `max_bytes` that does not end
// inside a well-formed sequence: text shortened without splitting a
// character (bytes that are not UTF-8 count as one each).
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

// Offset of the first byte that is not part of well-formed UTF-8, or nullopt.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

// Replaces each byte that is not part of well-formed UTF-8 with U+FFFD.
void replace_invalid_utf8(std::string& text);

// Offset of the first control character (C0, DEL, or C1 U+0080..U+009F as
// UTF-8) in `text`, or nullopt. Text that travels on as an HTTP header value
// or a log field (purpose, user id) must hold none.
std::optional<std::size_t> find_control_character(std::string_view text);

}  // namespace lienthong

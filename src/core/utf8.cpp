#include "lienthong/core/utf8.hpp"

#include <algorithm>

namespace lienthong {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead >= 0x01 && lead <= 0x7F)
    return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0)
      low = 0xA0;
    if (lead == 0xED)
      high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0)
      low = 0x90;
    if (lead == 0xF4)
      high = 0x8F;
  } else {
    return 0;  // NUL, a continuation byte, or a lead byte that cannot start UTF-8
  }
  if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high)
    return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
      return 0;
  }
  return length;
}

char32_t utf8_code_point(std::string_view text, std::size_t i, std::size_t length) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  if (length <= 1)
    return byte(0);
  // The lead byte keeps 7 - length bits; each continuation byte adds 6.
  char32_t point = byte(0) & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k)
    point = (point << 6) | (byte(k) & 0x3F);
  return point;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  std::size_t end = 0;
  while (end < text.size()) {
    const std::size_t length = std::max<std::size_t>(utf8_sequence_length(text, end), 1);
    if (end + length > max_bytes)
      break;
    end += length;
  }
  return text.substr(0, end);
}

void replace_invalid_utf8(std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (const auto length = utf8_sequence_length(text, i); length > 0) {
      i += length;
      continue;
    }
    text.replace(i, 1, kReplacement);
    i += kReplacement.size();
  }
}

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto length = utf8_sequence_length(text, i);
    if (length == 0)
      return i;
    i += length;
  }
  return std::nullopt;
}

std::optional<std::size_t> find_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f)
      return i;
    if (byte == 0xc2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f)
        return i;
    }
  }
  return std::nullopt;
}

}  // namespace lienthong

#include "lienthong/net/header_text.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/grammar/lut_chars.hpp>
#include <boost/url/pct_string_view.hpp>

#include "lienthong/core/utf8.hpp"

namespace lienthong::net {
namespace {

constexpr std::string_view kUtf8Prefix = "UTF-8''";

// attr-char of RFC 8187 §3.2.1: what an ext-value carries unencoded.
constexpr boost::urls::grammar::lut_chars kAttrChars(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~");

bool has_utf8_prefix(std::string_view value) {
  return value.size() >= kUtf8Prefix.size() &&
         boost::beast::iequals(value.substr(0, kUtf8Prefix.size()), kUtf8Prefix);
}

bool printable_ascii(std::string_view text) {
  for (const unsigned char c : text) {
    if (c < 0x20 || c > 0x7E)
      return false;
  }
  return true;
}

}  // namespace

std::string encode_header_text(std::string_view text) {
  if (printable_ascii(text) && !has_utf8_prefix(text))
    return std::string(text);
  return std::string(kUtf8Prefix) + boost::urls::encode(text, kAttrChars);
}

std::string decode_header_text(std::string_view value) {
  if (!has_utf8_prefix(value))
    return std::string(value);
  const auto encoded = value.substr(kUtf8Prefix.size());
  if (!std::all_of(encoded.begin(), encoded.end(),
                   [](char c) { return c == '%' || kAttrChars(c); }))
    return std::string(value);
  const auto escaped = boost::urls::make_pct_string_view(encoded);
  if (!escaped.has_value())
    return std::string(value);
  std::string text = escaped.value().decode();
  if (find_invalid_utf8(text))
    return std::string(value);
  return text;
}

}  // namespace lienthong::net

#include "lienthong/core/json_text.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <simdjson.h>

#include "lienthong/core/json_parse.hpp"

namespace lienthong {

bool exceeds_json_depth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth)
          return true;
        break;
      case ']':
      case '}':
        --depth;
        break;
      default:
        break;
    }
  }
  return false;
}

Result<nlohmann::json> parse_json_text(std::string_view text, int max_depth, ErrorCode failure,
                                       std::string_view subject) {
  auto reading = parse_json(text, max_depth);
  if (reading.too_deep) {
    return make_error(failure, std::string(subject) + " nests deeper than " +
                                   std::to_string(max_depth) + " levels");
  }
  if (!reading.document.has_value())
    return make_error(failure, std::string(subject) + " is not JSON");
  return std::move(*reading.document);
}

namespace {

constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

// A string as nlohmann's dump writes it (ensure_ascii off): quote and
// backslash escaped, control characters as \b \f \n \r \t or \u00xx,
// everything else as it is. Valid UTF-8 is checked first (simdjson's
// vectorised check) and copied in runs; a string that is not UTF-8 is left
// to nlohmann, which replaces its bad bytes its own way.
// True when one of the eight bytes of `word` is below 0x20, a quotation mark
// or a backslash (the "has a zero byte" and "has a byte less than n" bit
// tests: exact as to whether any byte matches).
bool needs_escape(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const std::uint64_t below_space = (word - kOnes * 0x20) & ~word & kHigh;
  return (below_space | has_zero(word ^ (kOnes * '"')) | has_zero(word ^ (kOnes * '\\'))) != 0;
}

void write_string(const std::string& text, std::string& out) {
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    out += nlohmann::json(text).dump(-1, ' ', false, kReplace);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    // Eight bytes at a time while none of them needs escaping.
    while (i + 8 <= text.size()) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof word);
      if (needs_escape(word))
        break;
      i += 8;
    }
    if (i >= text.size())
      break;
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte != '"' && byte != '\\')
      continue;
    out.append(text, run, i - run);
    run = i + 1;
    switch (byte) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[byte >> 4]);
        out.push_back(kHex[byte & 0xF]);
        break;
    }
  }
  out.append(text, run, std::string::npos);
  out.push_back('"');
}

void write_value(const nlohmann::json& value, std::string& out) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [name, member] : value.get_ref<const nlohmann::json::object_t&>()) {
        if (!first)
          out.push_back(',');
        first = false;
        write_string(name, out);
        out.push_back(':');
        write_value(member, out);
      }
      out.push_back('}');
      return;
    }
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value.get_ref<const nlohmann::json::array_t&>()) {
        if (!first)
          out.push_back(',');
        first = false;
        write_value(item, out);
      }
      out.push_back(']');
      return;
    }
    case nlohmann::json::value_t::string:
      write_string(value.get_ref<const std::string&>(), out);
      return;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case nlohmann::json::value_t::null:
      out += "null";
      return;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: {
      char digits[24];
      const auto end =
          value.is_number_unsigned()
              ? std::to_chars(digits, digits + sizeof digits, value.get<std::uint64_t>())
              : std::to_chars(digits, digits + sizeof digits, value.get<std::int64_t>());
      out.append(digits, end.ptr);
      return;
    }
    default:
      // Floating point (nlohmann's shortest round-trip form), binary and
      // discarded values: rare in exchanges, written by nlohmann itself.
      out += value.dump(-1, ' ', false, kReplace);
      return;
  }
}

}  // namespace

std::string to_json_text(const nlohmann::json& document) {
  // nlohmann's dump decodes every byte through a UTF-8 state machine; this
  // writes the same bytes (tests/fuzz/json_parse_fuzzer.cpp compares them)
  // in runs: an exchange's two serialisations went from 11 % to 5 % of its
  // instructions (docs/performance.md).
  std::string out;
  write_value(document, out);
  return out;
}

}  // namespace lienthong

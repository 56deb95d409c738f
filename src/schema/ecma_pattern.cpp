#include "ecma_pattern.hpp"

#include <cstdint>
#include <cstdio>
#include <re2/re2.h>

namespace lienthong::schema::detail {
namespace {

// ECMA-262 WhiteSpace and LineTerminator (§22.2.2.9 CharacterClassEscape \s).
constexpr std::string_view kSpaceMembers =
    "\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}"
    "\\x{3000}\\x{feff}";
// "." in ECMA-262 without the s flag: anything but a line terminator.
constexpr std::string_view kAnyButLineTerminator = "[^\\n\\r\\x{2028}\\x{2029}]";
// Enough memory for the patterns real schemas use ({1,100} over a Vietnamese
// letter class); larger programs are refused rather than slowly built.
constexpr std::int64_t kMaxProgramBytes = 2 << 20;

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Reads `count` hex digits at `at`; -1 when there are not that many.
long read_hex(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size())
    return -1;
  long value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const int digit = hex_value(text[at + i]);
    if (digit < 0)
      return -1;
    value = value * 16 + digit;
  }
  return value;
}

std::string code_point_escape(long code_point) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "\\x{%lx}", code_point);
  return buffer;
}

Error unsupported(std::string_view source, const std::string& why) {
  return make_error(ErrorCode::kClientBadRequest,
                    "pattern '" + std::string(source) + "' cannot be used: " + why);
}

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

Result<std::string> translate_ecma_pattern(std::string_view source) {
  std::string out;
  out.reserve(source.size() + 16);
  bool in_class = false;
  for (std::size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (c == '\\') {
      if (i + 1 >= source.size())
        return unsupported(source, "it ends with a lone backslash");
      const char e = source[++i];
      switch (e) {
        case 'd':
        case 'D':
        case 'w':
        case 'W':
        case 'f':
        case 'n':
        case 'r':
        case 't':
        case 'v':
          out += '\\';
          out += e;
          break;
        case 'b':
          out += in_class ? "\\x{8}" : "\\b";  // [\b] is a backspace
          break;
        case 'B':
          if (in_class)
            return unsupported(source, "\\B inside a character class");
          out += "\\B";
          break;
        case 's':
          if (in_class) {
            out += kSpaceMembers;
          } else {
            out += '[';
            out += kSpaceMembers;
            out += ']';
          }
          break;
        case 'S':
          if (in_class)
            return unsupported(source, "\\S inside a character class");
          out += "[^";
          out += kSpaceMembers;
          out += ']';
          break;
        case 'u': {
          long code_point = -1;
          if (i + 1 < source.size() && source[i + 1] == '{') {
            const auto close = source.find('}', i + 2);
            if (close == std::string_view::npos || close - i - 2 == 0 || close - i - 2 > 6)
              return unsupported(source, "a malformed \\u{...} escape");
            code_point = read_hex(source, i + 2, close - i - 2);
            i = close;
          } else {
            code_point = read_hex(source, i + 1, 4);
            if (code_point < 0)
              return unsupported(source, "\\u must be followed by four hex digits");
            i += 4;
            // A surrogate pair written as two escapes is one character.
            if (code_point >= 0xd800 && code_point <= 0xdbff && i + 6 < source.size() &&
                source.substr(i + 1, 2) == "\\u") {
              const long low = read_hex(source, i + 3, 4);
              if (low >= 0xdc00 && low <= 0xdfff) {
                code_point = 0x10000 + ((code_point - 0xd800) << 10) + (low - 0xdc00);
                i += 6;
              }
            }
          }
          if (code_point < 0 || code_point > 0x10ffff)
            return unsupported(source, "a \\u escape outside Unicode");
          if (code_point >= 0xd800 && code_point <= 0xdfff)
            return unsupported(source, "a lone surrogate (\\u" + std::to_string(code_point) +
                                           "), which no UTF-8 text contains");
          out += code_point_escape(code_point);
          break;
        }
        case 'x': {
          const long value = read_hex(source, i + 1, 2);
          if (value < 0)
            return unsupported(source, "\\x must be followed by two hex digits");
          out += code_point_escape(value);
          i += 2;
          break;
        }
        case 'c': {
          if (i + 1 >= source.size() || !is_ascii_letter(source[i + 1]))
            return unsupported(source, "\\c must be followed by a letter");
          out += code_point_escape(source[i + 1] % 32);
          ++i;
          break;
        }
        case '0':
          if (i + 1 < source.size() && source[i + 1] >= '0' && source[i + 1] <= '9')
            return unsupported(source, "octal escapes");
          out += "\\x{0}";
          break;
        case 'p':
        case 'P': {
          // Unicode property classes: RE2 knows the general categories and scripts.
          out += '\\';
          out += e;
          break;
        }
        default:
          if (e >= '1' && e <= '9')
            return unsupported(
                source, "backreferences (\\" + std::string(1, e) + "), which need backtracking");
          if (e == 'k')
            return unsupported(source, "named backreferences (\\k), which need backtracking");
          if (is_ascii_letter(e))
            return unsupported(
                source, std::string("the escape \\") + e + ", which ECMA-262 does not define");
          if (static_cast<unsigned char>(e) >= 0x80) {
            out += e;  // an escaped non-ASCII character is itself
          } else {
            out += '\\';
            out += e;  // escaped punctuation, including \/ and \-
          }
      }
      continue;
    }
    if (in_class) {
      if (c == ']') {
        in_class = false;
        out += ']';
      } else if (c == '[') {
        out += "\\[";  // literal in ECMA-262; RE2 would read [[:alpha:]]
      } else {
        out += c;
      }
      continue;
    }
    switch (c) {
      case '[': {
        // [] matches nothing and [^] any character in ECMA-262; RE2 reads
        // a leading ']' as a member instead.
        if (source.substr(i, 2) == "[]") {
          out += "[^\\x{0}-\\x{10ffff}]";
          ++i;
        } else if (source.substr(i, 3) == "[^]") {
          out += "[\\x{0}-\\x{10ffff}]";
          i += 2;
        } else {
          in_class = true;
          out += '[';
          if (i + 1 < source.size() && source[i + 1] == '^') {
            out += '^';
            ++i;
          }
        }
        break;
      }
      case '.':
        out += kAnyButLineTerminator;
        break;
      case '(':
        if (source.substr(i, 3) == "(?=" || source.substr(i, 3) == "(?!")
          return unsupported(source, "lookahead ((?= or (?!), which needs backtracking");
        if (source.substr(i, 4) == "(?<=" || source.substr(i, 4) == "(?<!")
          return unsupported(source, "lookbehind ((?<= or (?<!), which needs backtracking");
        if (source.substr(i, 3) == "(?<") {
          out += "(?P<";
          i += 2;
        } else {
          out += '(';
        }
        break;
      default:
        out += c;
    }
  }
  if (in_class)
    return unsupported(source, "a character class is not closed");
  return out;
}

Pattern::Pattern(std::string source, std::unique_ptr<re2::RE2> compiled)
    : source_(std::move(source)), compiled_(std::move(compiled)) {}

Pattern::~Pattern() = default;

Result<std::shared_ptr<const Pattern>> Pattern::compile(std::string_view ecma_source) {
  auto translated = translate_ecma_pattern(ecma_source);
  if (!translated.has_value())
    return std::move(translated).error();
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_never_capture(true);
  options.set_max_mem(kMaxProgramBytes);
  options.set_encoding(re2::RE2::Options::EncodingUTF8);
  auto compiled = std::make_unique<re2::RE2>(translated.value(), options);
  if (!compiled->ok())
    return unsupported(ecma_source, compiled->error());
  return std::shared_ptr<const Pattern>(new Pattern(std::string(ecma_source), std::move(compiled)));
}

bool Pattern::search(std::string_view text) const {
  return re2::RE2::PartialMatch(text, *compiled_);
}

}  // namespace lienthong::schema::detail

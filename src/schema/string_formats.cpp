#include "string_formats.hpp"

#include <arpa/inet.h>
#include <array>
#include <cstring>
#include <string>

#include <boost/url/parse.hpp>

#include "ecma_pattern.hpp"

namespace lienthong::schema::detail {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// `count` ASCII digits at `at` as a number, or -1.
int digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size())
    return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!is_digit(text[i]))
      return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// RFC 3339 full-date: YYYY-MM-DD, a real calendar day.
bool is_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return false;
  const int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1)
    return false;
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int last = month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
  return day <= last;
}

// RFC 3339 full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM). A leap second (:60)
// is valid only where the time is 23:59 in UTC.
bool is_time(std::string_view text) {
  if (text.size() < 9 || text[2] != ':' || text[5] != ':')
    return false;
  const int hour = digits(text, 0, 2), minute = digits(text, 3, 2), second = digits(text, 6, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60)
    return false;
  std::size_t at = 8;
  if (at < text.size() && text[at] == '.') {
    const std::size_t start = ++at;
    while (at < text.size() && is_digit(text[at]))
      ++at;
    if (at == start)
      return false;
  }
  if (at >= text.size())
    return false;  // the offset is required
  int offset_minutes = 0;
  if (text[at] == 'Z' || text[at] == 'z') {
    if (at + 1 != text.size())
      return false;
  } else if (text[at] == '+' || text[at] == '-') {
    if (text.size() - at != 6 || text[at + 3] != ':')
      return false;
    const int offset_hour = digits(text, at + 1, 2), offset_minute = digits(text, at + 4, 2);
    if (offset_hour < 0 || offset_hour > 23 || offset_minute < 0 || offset_minute > 59)
      return false;
    offset_minutes = (offset_hour * 60 + offset_minute) * (text[at] == '+' ? 1 : -1);
  } else {
    return false;
  }
  if (second == 60) {
    const int utc = ((hour * 60 + minute - offset_minutes) % 1440 + 1440) % 1440;
    return utc == 23 * 60 + 59;
  }
  return true;
}

bool is_date_time(std::string_view text) {
  return text.size() > 11 && (text[10] == 'T' || text[10] == 't') && is_date(text.substr(0, 10)) &&
         is_time(text.substr(11));
}

bool is_ldh_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  for (const char c : label) {
    if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
      return false;
  }
  return true;
}

// RFC 1123 host name: dot-separated letter-digit-hyphen labels.
bool is_hostname(std::string_view text) {
  if (text.empty() || text.size() > 253)
    return false;
  for (;;) {
    const auto dot = text.find('.');
    if (!is_ldh_label(text.substr(0, dot)))
      return false;
    if (dot == std::string_view::npos)
      return true;
    text.remove_prefix(dot + 1);
  }
}

// Dotted-decimal with exactly four octets, no leading zeros (RFC 2673 §3.2).
bool is_ipv4(std::string_view text) {
  int octets = 0;
  std::size_t at = 0;
  while (octets < 4) {
    std::size_t end = at;
    while (end < text.size() && is_digit(text[end]))
      ++end;
    const std::size_t length = end - at;
    if (length == 0 || length > 3 || (length > 1 && text[at] == '0'))
      return false;
    if (digits(text, at, length) > 255)
      return false;
    ++octets;
    if (octets < 4) {
      if (end >= text.size() || text[end] != '.')
        return false;
      at = end + 1;
    } else {
      return end == text.size();
    }
  }
  return false;
}

bool is_ipv6(std::string_view text) {
  if (text.empty() || text.size() > 45)
    return false;
  for (const char c : text) {
    const bool allowed =
        is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
    if (!allowed)
      return false;  // no zone ids, spaces or non-ASCII digits
  }
  unsigned char address[16];
  return inet_pton(AF_INET6, std::string(text).c_str(), address) == 1;
}

// Local part: dot-atom text (RFC 5322 §3.2.3); domain: a host name or an
// address literal in brackets.
bool is_email(std::string_view text) {
  const auto at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size())
    return false;
  const auto local = text.substr(0, at);
  const auto domain = text.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  static constexpr std::string_view kAtomSpecials = "!#$%&'*+-/=?^_`{|}~.";
  for (const char c : local) {
    const bool allowed = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         kAtomSpecials.find(c) != std::string_view::npos;
    if (!allowed)
      return false;
  }
  if (domain.size() > 2 && domain.front() == '[' && domain.back() == ']') {
    const auto literal = domain.substr(1, domain.size() - 2);
    if (literal.starts_with("IPv6:"))
      return is_ipv6(literal.substr(5));
    return is_ipv4(literal);
  }
  return is_hostname(domain);
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36)
    return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return false;
    } else if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

// An IRI is a URI that may hold non-ASCII characters unescaped (RFC 3987):
// percent-encode those bytes and read the result as a URI.
std::string iri_as_uri(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

bool is_uri(std::string_view text) {
  return boost::urls::parse_uri(text).has_value();
}

bool is_uri_reference(std::string_view text) {
  return boost::urls::parse_uri_reference(text).has_value();
}

// RFC 6570: literals and balanced {expressions} with no nesting.
bool is_uri_template(std::string_view text) {
  bool open = false;
  for (const char c : text) {
    if (c == '{') {
      if (open)
        return false;
      open = true;
    } else if (c == '}') {
      if (!open)
        return false;
      open = false;
    }
  }
  return !open;
}

// RFC 6901: "" or "/"-prefixed tokens where "~" is followed by 0 or 1.
bool is_json_pointer(std::string_view text) {
  if (text.empty())
    return true;
  if (text.front() != '/')
    return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '~' && (i + 1 >= text.size() || (text[i + 1] != '0' && text[i + 1] != '1')))
      return false;
  }
  return true;
}

// draft-handrews-relative-json-pointer: a non-negative integer (no leading
// zero) followed by "#" or a JSON pointer.
bool is_relative_json_pointer(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && is_digit(text[end]))
    ++end;
  if (end == 0 || (end > 1 && text[0] == '0'))
    return false;
  const auto rest = text.substr(end);
  return rest == "#" || is_json_pointer(rest);
}

}  // namespace

std::optional<StringFormat> checked_format(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, StringFormat>, 16> kFormats{{
      {"date", StringFormat::kDate},
      {"time", StringFormat::kTime},
      {"date-time", StringFormat::kDateTime},
      {"email", StringFormat::kEmail},
      {"hostname", StringFormat::kHostname},
      {"ipv4", StringFormat::kIpv4},
      {"ipv6", StringFormat::kIpv6},
      {"uuid", StringFormat::kUuid},
      {"uri", StringFormat::kUri},
      {"uri-reference", StringFormat::kUriReference},
      {"iri", StringFormat::kIri},
      {"iri-reference", StringFormat::kIriReference},
      {"uri-template", StringFormat::kUriTemplate},
      {"json-pointer", StringFormat::kJsonPointer},
      {"relative-json-pointer", StringFormat::kRelativeJsonPointer},
      {"regex", StringFormat::kRegex},
  }};
  for (const auto& [known, format] : kFormats) {
    if (known == name)
      return format;
  }
  return std::nullopt;
}

bool matches_format(StringFormat format, std::string_view text) {
  switch (format) {
    case StringFormat::kDate:
      return is_date(text);
    case StringFormat::kTime:
      return is_time(text);
    case StringFormat::kDateTime:
      return is_date_time(text);
    case StringFormat::kEmail:
      return is_email(text);
    case StringFormat::kHostname:
      return is_hostname(text);
    case StringFormat::kIpv4:
      return is_ipv4(text);
    case StringFormat::kIpv6:
      return is_ipv6(text);
    case StringFormat::kUuid:
      return is_uuid(text);
    case StringFormat::kUri:
      return is_uri(text);
    case StringFormat::kUriReference:
      return is_uri_reference(text);
    case StringFormat::kIri:
      return is_uri(iri_as_uri(text));
    case StringFormat::kIriReference:
      return is_uri_reference(iri_as_uri(text));
    case StringFormat::kUriTemplate:
      return is_uri_template(text);
    case StringFormat::kJsonPointer:
      return is_json_pointer(text);
    case StringFormat::kRelativeJsonPointer:
      return is_relative_json_pointer(text);
    case StringFormat::kRegex:
      return Pattern::compile(text).has_value();
  }
  return true;
}

}  // namespace lienthong::schema::detail

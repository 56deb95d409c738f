#pragma once
// Private to schema/: the "format" values the hub checks (draft 7 §7.3).
// Formats are assertions here, as members expect of an exchange hub: a
// "date" that is not a calendar date is refused. Unknown formats, and the
// internationalised ones (idn-email, idn-hostname), are annotations only.

#include <optional>
#include <string_view>

namespace lienthong::schema::detail {

enum class StringFormat {
  kDate,
  kTime,
  kDateTime,
  kEmail,
  kHostname,
  kIpv4,
  kIpv6,
  kUuid,
  kUri,
  kUriReference,
  kIri,
  kIriReference,
  kUriTemplate,
  kJsonPointer,
  kRelativeJsonPointer,
  kRegex,
};

// The checked format named `name`, or nullopt for one that is not checked.
std::optional<StringFormat> checked_format(std::string_view name);

bool matches_format(StringFormat format, std::string_view text);

}  // namespace lienthong::schema::detail

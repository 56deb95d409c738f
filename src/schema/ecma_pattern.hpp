#pragma once
// Private to schema/: a JSON Schema "pattern" (ECMA-262 syntax, RFC 8259 text)
// run on RE2. RE2 matches in time linear in the input and never recurses per
// input character, so no pattern and no string can hang or crash the hub;
// it reads UTF-8 as code points, so "." and {m,n} count characters, not bytes.
// What ECMA-262 has and RE2 cannot do in linear time (backreferences,
// lookaround) is refused when the schema is compiled, naming the construct.

#include <memory>
#include <string>
#include <string_view>

#include "lienthong/core/result.hpp"

namespace re2 {
class RE2;
}  // namespace re2

namespace lienthong::schema::detail {

class Pattern {
 public:
  // Client.BadRequest naming the pattern and what in it is not supported.
  static Result<std::shared_ptr<const Pattern>> compile(std::string_view ecma_source);
  ~Pattern();
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;

  // True when the pattern matches anywhere in `text` (JSON Schema patterns
  // are not implicitly anchored). `text` is valid UTF-8.
  bool search(std::string_view text) const;

  const std::string& source() const { return source_; }

 private:
  Pattern(std::string source, std::unique_ptr<re2::RE2> compiled);
  std::string source_;
  std::unique_ptr<re2::RE2> compiled_;
};

// The RE2 syntax for an ECMA-262 pattern, or the reason it has none (exposed
// for tests).
Result<std::string> translate_ecma_pattern(std::string_view ecma_source);

}  // namespace lienthong::schema::detail

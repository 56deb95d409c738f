#pragma once
// Parsing JSON text into nlohmann::json, fast: simdjson reads the text
// (validating UTF-8 and the grammar at gigabytes a second) and the tree is
// built from its result, instead of nlohmann's character-at-a-time lexer,
// which was a third of the hub's time to read an envelope. The nesting bound
// is checked while the tree is built, so there is no separate pass over the
// text. Whatever simdjson refuses (not JSON, or JSON it does not represent:
// integers past 64 bits) takes the old path, the depth scan and then
// nlohmann's parser, so the answer is always the one
// `exceeds_json_depth(text, max_depth)` followed by nlohmann::json::parse
// would give; a differential fuzzer (tests/fuzz/json_parse_fuzzer.cpp)
// holds the two to it.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lienthong {

struct JsonReading {
  // The whole text as one JSON value; empty when it is not one or nests
  // too deep.
  std::optional<nlohmann::json> document;
  // Arrays and objects nest deeper than max_depth (whether or not the text
  // is JSON otherwise); nothing was built.
  bool too_deep = false;
  // A member name that appears twice in one object (the first such name
  // found). The tree keeps the last value, as nlohmann's parser does, but
  // other parsers keep the first or refuse: whoever receives the text
  // itself, not this tree, may read another value than the one checked.
  std::optional<std::string> repeated_name;
};

JsonReading parse_json(std::string_view text, int max_depth);

}  // namespace lienthong

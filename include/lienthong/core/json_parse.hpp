#pragma once
// Parsing JSON text into nlohmann::json, fast: simdjson reads the text
// (validating UTF-8 and the grammar at gigabytes a second) and the tree is
// built from its result, instead of nlohmann's character-at-a-time lexer,
// which was a third of the hub's time to read an envelope. Whatever
// simdjson refuses (not JSON, or JSON it does not represent: integers past
// 64 bits, numbers past a double) is handed to nlohmann's parser, so the
// answer is always the one nlohmann::json::parse would give; a
// differential fuzzer (tests/fuzz/json_parse_fuzzer.cpp) holds the two to it.
//
// Bound the nesting first (exceeds_json_depth in json_text.hpp): the tree is
// built recursively.

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lienthong {

// The whole of `text` as one JSON value, or nullopt when it is not one.
std::optional<nlohmann::json> parse_json(std::string_view text);

}  // namespace lienthong

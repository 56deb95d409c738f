#include "lienthong/core/json_text.hpp"

#include <string>

#include <gtest/gtest.h>

namespace lienthong {
namespace {

TEST(JsonDepth, CountsArraysAndObjects) {
  EXPECT_FALSE(exceeds_json_depth(R"({"a":[{"b":[1]}]})", 4));
  EXPECT_TRUE(exceeds_json_depth(R"({"a":[{"b":[1]}]})", 3));
}

TEST(JsonDepth, IgnoresBracketsInsideStrings) {
  EXPECT_FALSE(exceeds_json_depth(R"({"a":"[[[[[[{{{{"})", 1));
  EXPECT_FALSE(exceeds_json_depth(R"({"a":"\"[[[[[["})", 1));
}

TEST(JsonDepth, HandlesHugeInputInOnePass) {
  EXPECT_TRUE(exceeds_json_depth(std::string(1'000'000, '['), 64));
  EXPECT_FALSE(exceeds_json_depth(std::string(1'000'000, ' '), 64));
}

TEST(JsonText, ParsesWithinTheDepthAndNamesWhatFailed) {
  auto parsed = parse_json_text(R"({"a":[1]})", 2, ErrorCode::kClientBadRequest, "the body");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed.value()["a"][0], 1);

  auto deep = parse_json_text("[[[1]]]", 2, ErrorCode::kProviderBadResponse, "the answer");
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code, ErrorCode::kProviderBadResponse);
  EXPECT_EQ(deep.error().detail, "the answer nests deeper than 2 levels");

  auto garbage = parse_json_text("{nope", 2, ErrorCode::kClientBadRequest, "the body");
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().detail, "the body is not JSON");
}

TEST(JsonText, WritesWhatNlohmannsDumpWrites) {
  const auto document = nlohmann::json::parse(
      R"({"s":"a\"b\\c\/d\b\f\n\r\t\u0000\u001f\u007f\u00e9\ud83d\ude00","n":[0,-1,)"
      R"(18446744073709551615,-9223372036854775808,1.5,-0.0,1e300,0.1,100.0],)"
      R"("b":[true,false,null],"o":{"z":{},"a":[]},"":"empty name"})");
  EXPECT_EQ(to_json_text(document), document.dump());
  for (const auto& value : {nlohmann::json(), nlohmann::json(true), nlohmann::json(""),
                            nlohmann::json::array(), nlohmann::json::object(), nlohmann::json(7)})
    EXPECT_EQ(to_json_text(value), value.dump());
  // Strings are scanned eight bytes at a time: an escape at every position
  // of a word, and in the bytes after the last whole word.
  for (std::size_t length : {7u, 8u, 9u, 15u, 16u, 17u, 24u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (const char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
        std::string text(length, 'a');
        text[at] = special;
        const nlohmann::json value{{text, text}};
        EXPECT_EQ(to_json_text(value), value.dump()) << length << " " << at;
      }
    }
  }
}

TEST(JsonText, WritesInvalidUtf8AsReplacementCharacters) {
  const nlohmann::json document{{"name", std::string("a\xff")}};
  EXPECT_EQ(to_json_text(document), "{\"name\":\"a\xef\xbf\xbd\"}");
}

}  // namespace
}  // namespace lienthong

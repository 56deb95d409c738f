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

TEST(JsonText, WritesInvalidUtf8AsReplacementCharacters) {
  const nlohmann::json document{{"name", std::string("a\xff")}};
  EXPECT_EQ(to_json_text(document), "{\"name\":\"a\xef\xbf\xbd\"}");
}

}  // namespace
}  // namespace lienthong

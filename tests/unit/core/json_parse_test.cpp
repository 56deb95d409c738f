#include "lienthong/core/json_parse.hpp"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "lienthong/core/json_text.hpp"

namespace lienthong {
namespace {

// parse_json must answer exactly as the depth scan followed by
// nlohmann::json::parse does: the same texts too deep, the same accepted,
// the same values (dump() tells an integer from a float and -0.0 from 0.0).
void expect_as_nlohmann(std::string_view text, int max_depth = 64) {
  const auto ours = parse_json(text, max_depth);
  if (exceeds_json_depth(text, max_depth)) {
    EXPECT_TRUE(ours.too_deep) << text;
    EXPECT_FALSE(ours.document.has_value()) << text;
    return;
  }
  EXPECT_FALSE(ours.too_deep) << text;
  const auto reference = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_EQ(ours.document.has_value(), !reference.is_discarded())
      << "accepted by " << (ours.document.has_value() ? "parse_json" : "nlohmann")
      << " only: " << text;
  if (ours.document.has_value()) {
    EXPECT_EQ(*ours.document, reference) << text;
    EXPECT_EQ(ours.document->dump(), reference.dump()) << text;
  }
}

class JsonParseAsNlohmann : public ::testing::TestWithParam<std::string> {};

TEST_P(JsonParseAsNlohmann, AcceptsAndReadsTheSame) {
  expect_as_nlohmann(GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Values, JsonParseAsNlohmann,
    ::testing::Values(
        // structure and literals
        "{}", "[]", " \t\r\n{ \"a\" : [ 1 , { \"b\" : null } ] } \n", "true", "false", "null",
        R"({"a":{"b":[true,false,null,"x",1,-1,1.5]}})", R"({"a":1,"a":2})",
        R"({"b":1,"a":2,"c":{"z":0,"y":[]}})",
        // numbers
        "0", "-0", "1", "-1", "1.0", "-0.0", "1e2", "1E+2", "1e-2", "0.1", "1.7976931348623157e308",
        "1e400", "-1e400", "1e-400", "-0.0e-999", "9223372036854775807", "9223372036854775808",
        "18446744073709551615", "18446744073709551616", "-9223372036854775808",
        "-9223372036854775809", "123456789012345678901234567890", "[0.30000000000000004]",
        // strings and escapes
        R"("")", R"("\u00e9\u1ec7")", R"("\ud83d\ude00")", R"("\"\\\/\b\f\n\r\t")", R"("\u0000")",
        R"("caf\u00E9")", "\"ti\xe1\xba\xbfng Vi\xe1\xbb\x87t\"",
        // not JSON, or not UTF-8
        "", " ", "{", "}", "[1,]", R"({"a":1,})", "{} x", "{},", "nul", "tru", "NaN", "Infinity",
        "+1", "01", "1.", ".5", "1e", "-", R"("unterminated)", R"({"a" 1})", R"({1:2})", "'a'",
        R"("\ud800")", R"("\udc00")", R"("\ud800\u0041")", R"("\ud800\ud800")", R"("\x41")",
        R"("\u12")", "\"a\tb\"", "\"a\nb\"", "\"\xff\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"",
        "\"\xf4\x90\x80\x80\"", "\"\xe1\xba\"", "\xef\xbb\xbf{}", std::string("{}\0", 3),
        std::string("\"a\0b\"", 5), "[1 2]", "{\"a\":1 \"b\":2}"));

TEST(JsonParse, RefusesNestingPastTheLimitExactlyAsTheDepthScan) {
  for (const char* text :
       {"1", "[]", "{}", "[1]", "[[]]", "[[1]]", "[{}]", R"({"a":[]})", R"({"a":{"b":[1]}})",
        R"([[1],[[2]]])", R"(["[[[[", {"]]]": "{{"}])", "[[[[x", "[[[[", "{\"a\":[[[1,2}"}) {
    for (int max_depth : {0, 1, 2, 3}) {
      SCOPED_TRACE(std::string(text) + " at depth " + std::to_string(max_depth));
      expect_as_nlohmann(text, max_depth);
    }
  }
  const auto shallow = parse_json("[[1]]", 1);
  EXPECT_TRUE(shallow.too_deep);
  const auto deep_enough = parse_json("[[1]]", 2);
  ASSERT_TRUE(deep_enough.document.has_value());
  EXPECT_EQ(*deep_enough.document, nlohmann::json::parse("[[1]]"));
}

TEST(JsonParse, NamesTheFirstMemberNameRepeatedWithinOneObject) {
  EXPECT_EQ(parse_json(R"({"a":1,"a":2})", 64).repeated_name, "a");
  const auto nested = parse_json(R"({"x":{"b":1,"c":2,"b":3},"y":{"c":1,"c":1}})", 64);
  EXPECT_EQ(nested.repeated_name, "b");
  EXPECT_EQ((*nested.document)["x"]["b"], 3) << "the last value, as nlohmann keeps";
  // The same name in different objects is no repetition.
  EXPECT_FALSE(parse_json(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})", 64).repeated_name);
  // Also on the path simdjson refuses (an integer past 64 bits).
  const auto big = parse_json(R"({"n":123456789012345678901234567890,"m":{"n":1,"n":2}})", 64);
  ASSERT_TRUE(big.document.has_value());
  EXPECT_EQ(big.repeated_name, "n");
  EXPECT_FALSE(parse_json(R"({"n":123456789012345678901234567890,"m":{"n":1}})", 64).repeated_name);
}

TEST(JsonParse, NestingPastSimdjsonsOwnLimitTakesTheOldPath) {
  // simdjson stops at 1,024 levels; with a higher bound the text is still read.
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  expect_as_nlohmann(deep, 64);
  expect_as_nlohmann(deep, 5000);
  EXPECT_TRUE(parse_json(deep, 5000).document.has_value());
}

TEST(JsonParse, ReadsDocumentsPastThePerThreadParsersLimit) {
  // Past 64 KB a parser of its own is used; the answer is the same.
  std::string large = "[";
  for (int i = 0; i < 20'000; ++i)
    large += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  large += "]";
  ASSERT_GT(large.size(), 64u * 1024);
  expect_as_nlohmann(large);
  expect_as_nlohmann(large + "x");
  // and the reused parser still reads small documents afterwards
  expect_as_nlohmann(R"({"after":"large"})");
}

}  // namespace
}  // namespace lienthong

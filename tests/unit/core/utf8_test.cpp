#include "lienthong/core/utf8.hpp"

#include <gtest/gtest.h>

namespace lienthong {
namespace {

TEST(Utf8, VietnameseInBothNormalFormsIsWellFormed) {
  EXPECT_FALSE(find_invalid_utf8("Nguyễn Thị Hồng Nhung, Đà Nẵng"));  // NFC
  EXPECT_FALSE(find_invalid_utf8("Nguye\xCC\x82\xCC\x83n"));          // NFD: e + U+0302 + U+0303
  EXPECT_FALSE(find_invalid_utf8("\xF0\x9F\x87\xBB\xF0\x9F\x87\xB3 ok"));  // 4-byte sequences
}

TEST(Utf8, FindsTheFirstByteThatIsNotUtf8) {
  EXPECT_EQ(find_invalid_utf8("ab\xC3("), 2u);           // a lead byte without its continuation
  EXPECT_EQ(find_invalid_utf8("\xC0\xAF"), 0u);          // overlong "/"
  EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);     // a UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("Đà\xE1\xBA"), 4u);        // cut short at the end
  EXPECT_EQ(find_invalid_utf8(std::string_view("a\0b", 3)), 1u);
  EXPECT_EQ(find_invalid_utf8("Latin-1 \xE9t\xE9"), 8u);  // "été" in ISO 8859-1
}

TEST(Utf8, ReplacementKeepsWhatIsValid) {
  std::string text = "Hà\xFFNội";
  replace_invalid_utf8(text);
  EXPECT_EQ(text, "Hà\xEF\xBF\xBDNội");
}

TEST(Utf8, CodePointsAreDecoded) {
  const std::string_view text = "A\u00E9\u1EC5\U0001F600";  // A é ễ 😀
  EXPECT_EQ(utf8_code_point(text, 0, 1), U'A');
  EXPECT_EQ(utf8_code_point(text, 1, 2), U'\u00E9');
  EXPECT_EQ(utf8_code_point(text, 3, 3), U'\u1EC5');
  EXPECT_EQ(utf8_code_point(text, 6, 4), U'\U0001F600');
}

TEST(Utf8, APrefixNeverEndsInsideACharacter) {
  const std::string name = "Nguy\u1EC5n";  // "Nguyễn": ễ is bytes 4..6
  EXPECT_EQ(utf8_prefix(name, 4), "Nguy");
  EXPECT_EQ(utf8_prefix(name, 5), "Nguy");
  EXPECT_EQ(utf8_prefix(name, 6), "Nguy");
  EXPECT_EQ(utf8_prefix(name, 7), "Nguy\u1EC5");
  EXPECT_EQ(utf8_prefix(name, 100), name);
  EXPECT_EQ(utf8_prefix("ab\xFF\xFE"
                        "cd",
                        4),
            "ab\xFF\xFE");  // non-UTF-8 bytes count one each
  EXPECT_EQ(utf8_prefix("", 3), "");
}

}  // namespace
}  // namespace lienthong

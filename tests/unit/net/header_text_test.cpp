// Issue 30 (6): people's text in headers, in RFC 8187's ext-value form.
#include "lienthong/net/header_text.hpp"

#include <gtest/gtest.h>

namespace lienthong::net {
namespace {

TEST(HeaderText, AsciiTravelsAsItIsAndAnythingElseAsUtf8PercentEncoded) {
  EXPECT_EQ(encode_header_text("identity check HS-2026/0042"), "identity check HS-2026/0042");
  EXPECT_EQ(encode_header_text("Tra c\u1EE9u h\u1ED3 s\u01A1"),
            "UTF-8''Tra%20c%E1%BB%A9u%20h%E1%BB%93%20s%C6%A1");
  // A tab is a control character for a Latin-1 reader too; and ASCII that
  // reads as the encoded form is encoded, so it comes back as written.
  EXPECT_EQ(encode_header_text("a\tb"), "UTF-8''a%09b");
  EXPECT_EQ(encode_header_text("utf-8''x"), "UTF-8''utf-8%27%27x");
}

TEST(HeaderText, EveryTextComesBackAsWritten) {
  for (const std::string text : {"", "plain", "Nguy\u1EC5n V\u0103n A", "100% & 'quoted' \"too\"",
                                 "UTF-8''", "\u4E2D\u6587", "\xF0\x9F\x98\x80 emoji"}) {
    EXPECT_EQ(decode_header_text(encode_header_text(text)), text) << text;
  }
  EXPECT_EQ(decode_header_text("utf-8''Tra%20c%E1%BB%A9u"), "Tra c\u1EE9u")
      << "the charset name is not case-sensitive";
}

TEST(HeaderText, WhatOnlyLooksEncodedIsKeptAsReceived) {
  for (const std::string value :
       {"UTF-8''%ZZ", "UTF-8''a b", "UTF-8''%FF%FE", "UTF-8''%E1%BB", "ISO-8859-1''caf%E9"}) {
    EXPECT_EQ(decode_header_text(value), value) << value;
  }
}

}  // namespace
}  // namespace lienthong::net

#include "lienthong/net/http_endpoint.hpp"

#include <gtest/gtest.h>

namespace lienthong::net {
namespace {

TEST(HttpEndpoint, ParsesHttpAndHttps) {
  const auto plain = HttpEndpoint::parse("http://127.0.0.1:9101/api/");
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain.value().tls);
  EXPECT_EQ(plain.value().host, "127.0.0.1");
  EXPECT_EQ(plain.value().port, 9101);
  EXPECT_EQ(plain.value().base_path, "/api");
  EXPECT_EQ(plain.value().origin(), "http://127.0.0.1:9101");

  const auto secure = HttpEndpoint::parse("https://dancu.gov.vn");
  ASSERT_TRUE(secure.has_value());
  EXPECT_TRUE(secure.value().tls);
  EXPECT_EQ(secure.value().port, 443);
  EXPECT_EQ(secure.value().host_header(), "dancu.gov.vn");

  const auto v6 = HttpEndpoint::parse("http://[::1]:8080");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6.value().host, "::1");
  EXPECT_EQ(v6.value().host_header(), "[::1]:8080");
}

TEST(HttpEndpoint, RejectsWhatCannotBeAProviderBaseUrl) {
  for (const char* url : {"", "dancu.gov.vn", "ftp://x", "http://user:pw@x/", "http://x/?q=1",
                          "http://x/#f", "http://x:0/", "http:///path"}) {
    EXPECT_FALSE(HttpEndpoint::parse(url).has_value()) << url;
  }
}

}  // namespace
}  // namespace lienthong::net

#include "lienthong/core/error.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace lienthong {
namespace {

TEST(ErrorTable, EveryCodeHasAUniqueNameAndAStatusMatchingItsFamily) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(ErrorCode::kProviderError); ++i) {
    const auto& info = describe(static_cast<ErrorCode>(i));
    EXPECT_TRUE(names.insert(info.code).second) << info.code;
    EXPECT_FALSE(info.title.empty()) << info.code;
    if (info.code.starts_with("Client.")) {
      EXPECT_GE(info.http_status, 400) << info.code;
      EXPECT_LT(info.http_status, 500) << info.code;
    } else {
      EXPECT_TRUE(info.code.starts_with("Server.") || info.code.starts_with("Provider."))
          << info.code;
      EXPECT_GE(info.http_status, 500) << info.code;
    }
  }
}

TEST(ErrorTable, KnownCodesKeepTheirWireNames) {
  // These names are a public contract with callers; changing one breaks clients.
  EXPECT_EQ(describe(ErrorCode::kClientUnauthenticated).code, "Client.Unauthenticated");
  EXPECT_EQ(describe(ErrorCode::kClientUnauthenticated).http_status, 401);
  EXPECT_EQ(describe(ErrorCode::kClientBadEnvelope).code, "Client.BadEnvelope");
  EXPECT_EQ(describe(ErrorCode::kClientUnknownService).code, "Client.UnknownService");
  EXPECT_EQ(describe(ErrorCode::kProviderUnreachable).code, "Provider.Unreachable");
  EXPECT_EQ(describe(ErrorCode::kServerAuditUnavailable).http_status, 503);
}

}  // namespace
}  // namespace lienthong

#include "lienthong/core/timestamp.hpp"

#include <gtest/gtest.h>

namespace lienthong {
namespace {

TEST(Rfc3339, RoundTripsWithMicroseconds) {
  const auto parsed = parse_rfc3339("2026-11-27T16:41:00.123456Z");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(to_rfc3339(*parsed), "2026-11-27T16:41:00.123456Z");
}

TEST(Rfc3339, ReadsOffsetsAndPlainDates) {
  EXPECT_EQ(to_rfc3339(*parse_rfc3339("2026-11-27T23:30:00+07:00")), "2026-11-27T16:30:00.000000Z");
  EXPECT_EQ(to_rfc3339(*parse_rfc3339("2026-11-27T16:30:00.5-01:30")),
            "2026-11-27T18:00:00.500000Z");
  EXPECT_EQ(to_rfc3339(*parse_rfc3339("2026-11-27")), "2026-11-27T00:00:00.000000Z");
}

TEST(Rfc3339, RefusesWhatIsNotADateTime) {
  for (const char* bad :
       {"", "yesterday", "2026-02-30", "2026-11-27T25:00:00Z", "2026-11-27T16:41:00",
        "2026-11-27T16:41:00.Z", "2026-11-27T16:41Z", "2026-11-27T16:41:00+0700", "2026-13-01"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace lienthong

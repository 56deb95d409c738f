#include "lienthong/core/timestamp.hpp"

#include <gtest/gtest.h>

namespace lienthong {
namespace {

TEST(Rfc3339, RoundTripsWithMicroseconds) {
  const auto parsed = parse_rfc3339("2026-11-27T16:41:00.123456Z");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(to_rfc3339(*parsed), "2026-11-27T16:41:00.123456Z");
}

TEST(Rfc3339, WritesEveryFieldWithLeadingZerosAndTimesBefore1970) {
  using namespace std::chrono;
  EXPECT_EQ(to_rfc3339(system_clock::time_point{}), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(
      to_rfc3339(sys_days(2026y / 1 / 2) + hours(3) + minutes(4) + seconds(5) + microseconds(6)),
      "2026-01-02T03:04:05.000006Z");
  // Half a second before the epoch: the fraction counts forward from the
  // second before, not back from the epoch.
  EXPECT_EQ(to_rfc3339(system_clock::time_point{} - milliseconds(500)),
            "1969-12-31T23:59:59.500000Z");
  EXPECT_EQ(to_rfc3339(sys_days(2024y / 2 / 29) + hours(23) + minutes(59) + seconds(59) +
                       microseconds(999'999)),
            "2024-02-29T23:59:59.999999Z");
  // Nanoseconds are cut to microseconds, not rounded.
  EXPECT_EQ(to_rfc3339(system_clock::time_point{} + nanoseconds(1'999)),
            "1970-01-01T00:00:00.000001Z");
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

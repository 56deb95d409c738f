#include "lienthong/core/message_id.hpp"

#include <regex>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "lienthong/core/id_randomness.hpp"
#include "lienthong/core/timestamp.hpp"

namespace lienthong {
namespace {

TEST(UuidV7, HasTheCanonicalFormVersionAndVariant) {
  const std::regex form("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = new_uuid_v7();
    EXPECT_TRUE(std::regex_match(id, form)) << id;
    EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
  }
}

// Ids draw their random bits from a block per thread: across blocks, and
// across threads, no id may repeat another's bits.
TEST(IdRandomness, NeverHandsOutTheSameBitsTwice) {
  std::set<std::string> seen;
  const auto draw = [](std::size_t size) {
    std::string bytes(size, '\0');
    id_random_bytes(reinterpret_cast<unsigned char*>(bytes.data()), size);
    return bytes;
  };
  for (int i = 0; i < 200; ++i)  // 16-byte draws cross many 512-byte blocks
    EXPECT_TRUE(seen.insert(draw(16)).second);
  const auto large = draw(1'500);  // larger than a block
  EXPECT_TRUE(seen.insert(large.substr(0, 16)).second);
  EXPECT_TRUE(seen.insert(large.substr(1'484)).second);
  std::string other;
  std::thread([&] { other = draw(16); }).join();
  EXPECT_TRUE(seen.insert(other).second) << "another thread's block is its own";
  EXPECT_NE(draw(32), std::string(32, '\0'));
}

TEST(UuidV7, SortsByCreationTimeAcrossMilliseconds) {
  const auto first = new_uuid_v7();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const auto second = new_uuid_v7();
  EXPECT_LT(first, second);
}

TEST(MessageId, AcceptsSafeIdsOnly) {
  EXPECT_TRUE(is_valid_message_id("01a21df4-1721-7a43-90e0-45f3bdf2cc6a"));
  EXPECT_TRUE(is_valid_message_id("demo:1.2_3"));
  EXPECT_FALSE(is_valid_message_id(""));
  EXPECT_FALSE(is_valid_message_id(std::string(129, 'a')));
  EXPECT_FALSE(is_valid_message_id("a b"));
  EXPECT_FALSE(is_valid_message_id("a'; DROP TABLE x"));
}

TEST(Timestamp, FormatsRfc3339Utc) {
  const auto t =
      std::chrono::system_clock::time_point(std::chrono::microseconds(1'700'000'000'123'456));
  EXPECT_EQ(to_rfc3339(t), "2023-11-14T22:13:20.123456Z");
}

}  // namespace
}  // namespace lienthong

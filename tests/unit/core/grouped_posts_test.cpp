#include "lienthong/core/grouped_posts.hpp"

#include <utility>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace lienthong {
namespace {

// Five requests waiting on two I/O threads: each handler runs once, on its
// own thread's context, with the outcome; each context gets one post.
TEST(GroupedPosts, OnePostPerThreadEachHandlerOnItsOwnThread) {
  boost::asio::io_context first, second;
  std::vector<std::pair<int, int>> ran;  // (request, outcome)
  GroupedPosts<boost::asio::any_completion_handler<void(int)>> posts;
  for (int request = 0; request < 5; ++request) {
    auto& context = request % 2 == 0 ? first : second;
    posts.add(context.get_executor(),
              [&, request](int outcome) { ran.emplace_back(request, outcome); });
  }
  posts.post_all(7);
  EXPECT_TRUE(ran.empty()) << "nothing runs inside post_all";
  EXPECT_EQ(first.run(), 1u) << "one post for requests 0, 2 and 4";
  EXPECT_EQ(ran, (std::vector<std::pair<int, int>>{{0, 7}, {2, 7}, {4, 7}}));
  EXPECT_EQ(second.run(), 1u) << "one post for requests 1 and 3";
  EXPECT_EQ(ran.size(), 5u);
  EXPECT_EQ(ran[3], (std::pair<int, int>{1, 7}));
  EXPECT_EQ(ran[4], (std::pair<int, int>{3, 7}));
  posts.post_all(8);  // the first post_all emptied it
  first.restart();
  EXPECT_EQ(first.run(), 0u);
  EXPECT_EQ(ran.size(), 5u);
}

}  // namespace
}  // namespace lienthong

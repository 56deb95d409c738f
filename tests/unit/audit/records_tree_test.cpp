#include "lienthong/audit/records_tree.hpp"

#include <gtest/gtest.h>

#include "lienthong/core/digest.hpp"

namespace lienthong::audit {
namespace {

std::vector<std::string> leaves(std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i)
    out.push_back(sha256_hex("record " + std::to_string(i)));
  return out;
}

TEST(RecordsTreeTest, MatchesWhatAShellComputesWithPrintfAndSha256sum) {
  // printf a | sha256sum, and so on; inner nodes as docs/evidence.md climbs them:
  //   printf 'lienthong-tree-v1 %s %s\n' "$left" "$right" | sha256sum
  const std::vector<std::string> abc = {sha256_hex("a"), sha256_hex("b"), sha256_hex("c")};
  EXPECT_EQ(abc[0], "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
  EXPECT_EQ(tree_root(abc), "c87c7e43fcba6d603425c80ccb0542ccb636882ebc47254461f065aa4045d19a");
}

TEST(RecordsTreeTest, ALoneRecordIsItsOwnRoot) {
  const auto one = leaves(1);
  EXPECT_EQ(tree_root(one), one[0]);
  EXPECT_TRUE(tree_path(one, 0).empty());
  EXPECT_THROW(tree_root({}), std::invalid_argument);
}

TEST(RecordsTreeTest, EveryRecordClimbsToTheRootInAFewSteps) {
  for (std::size_t count = 1; count <= 33; ++count) {
    const auto all = leaves(count);
    const auto root = tree_root(all);
    for (std::size_t i = 0; i < count; ++i) {
      const auto path = tree_path(all, i);
      EXPECT_EQ(climb_tree(all[i], path), root) << count << " leaves, leaf " << i;
      EXPECT_LE(path.size(), 6u);
    }
  }
  EXPECT_THROW(tree_path(leaves(3), 3), std::out_of_range);
}

TEST(RecordsTreeTest, BuiltOneLeafAtATimeItHasTheSameRoot) {
  TreeBuilder builder;
  EXPECT_TRUE(builder.empty());
  const auto all = leaves(70);
  for (std::size_t count = 1; count <= all.size(); ++count) {
    builder.add(all[count - 1]);
    EXPECT_EQ(builder.root(), tree_root({all.begin(), all.begin() + count})) << count;
  }
  builder.clear();
  EXPECT_THROW((void)builder.root(), std::logic_error);
}

TEST(RecordsTreeTest, AnyChangedHashOrSideMissesTheRoot) {
  const auto all = leaves(11);
  const auto root = tree_root(all);
  const auto path = tree_path(all, 6);
  ASSERT_FALSE(path.empty());
  EXPECT_NE(climb_tree(all[5], path), root);  // another record
  for (std::size_t s = 0; s < path.size(); ++s) {
    auto changed = path;
    changed[s].sibling[0] = changed[s].sibling[0] == '0' ? '1' : '0';
    EXPECT_NE(climb_tree(all[6], changed), root);
    auto swapped = path;
    swapped[s].sibling_on_left = !swapped[s].sibling_on_left;
    EXPECT_NE(climb_tree(all[6], swapped), root);
  }
  auto shortened = path;
  shortened.pop_back();
  EXPECT_NE(climb_tree(all[6], shortened), root);
}

}  // namespace
}  // namespace lienthong::audit

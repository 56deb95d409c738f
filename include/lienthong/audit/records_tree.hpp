#pragma once
// A Merkle tree over the record hashes one checkpoint seals (issue 24): the
// checkpoint signs its root, so one record can be shown to be part of the
// signed chain with a handful of hashes instead of the encodings of every
// other record after it (which would reveal other members' exchanges).
//
// Built so that a third party can climb it with a shell and sha256sum: a
// leaf is the record's chain link (64 hex digits) as stored; an inner node
// is the lower-case hex SHA-256 of the text
//     "lienthong-tree-v1 <left> <right>\n"
// Leaves are paired left to right at each level; the last node of a level
// with an odd count goes up unchanged.

#include <string>
#include <utility>
#include <vector>

namespace lienthong::audit {

// The hash of an inner node over two hex children.
std::string tree_node(const std::string& left, const std::string& right);

// The root over `leaves` (at least one).
std::string tree_root(std::vector<std::string> leaves);

// The same root, built one leaf at a time in O(log n) memory (a verifier
// following a chain of millions of records): the tree is the fold, from the
// right, of the perfect subtrees that the leaf count's binary digits give.
class TreeBuilder {
 public:
  void add(std::string leaf);
  bool empty() const { return subtrees_.empty(); }
  std::string root() const;  // empty() must be false
  void clear() { subtrees_.clear(); }

 private:
  std::vector<std::pair<int, std::string>> subtrees_;  // (height, hash), tallest first
};

// One step up from a node: its sibling, on the left or the right.
struct TreeStep {
  bool sibling_on_left = false;
  std::string sibling;
};

// The steps from leaves[index] up to the root (none for a lone leaf).
std::vector<TreeStep> tree_path(std::vector<std::string> leaves, std::size_t index);

// The root reached from `leaf` by `path`.
std::string climb_tree(std::string leaf, const std::vector<TreeStep>& path);

}  // namespace lienthong::audit

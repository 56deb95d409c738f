#include "lienthong/audit/records_tree.hpp"

#include <iterator>
#include <stdexcept>

#include "lienthong/core/digest.hpp"

namespace lienthong::audit {

std::string tree_node(const std::string& left, const std::string& right) {
  return sha256_hex("lienthong-tree-v1 " + left + " " + right + "\n");
}

namespace {

// Replaces `level` by the level above it.
void go_up(std::vector<std::string>& level) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < level.size(); i += 2)
    level[kept++] = i + 1 < level.size() ? tree_node(level[i], level[i + 1]) : level[i];
  level.resize(kept);
}

}  // namespace

std::string tree_root(std::vector<std::string> leaves) {
  if (leaves.empty())
    throw std::invalid_argument("a records tree needs at least one record");
  while (leaves.size() > 1)
    go_up(leaves);
  return leaves.front();
}

void TreeBuilder::add(std::string leaf) {
  subtrees_.emplace_back(0, std::move(leaf));
  while (subtrees_.size() >= 2 && subtrees_[subtrees_.size() - 2].first == subtrees_.back().first) {
    auto right = std::move(subtrees_.back());
    subtrees_.pop_back();
    auto& left = subtrees_.back();
    left.second = tree_node(left.second, right.second);
    ++left.first;
  }
}

std::string TreeBuilder::root() const {
  if (subtrees_.empty())
    throw std::logic_error("a records tree needs at least one record");
  std::string root = subtrees_.back().second;
  for (auto it = std::next(subtrees_.rbegin()); it != subtrees_.rend(); ++it)
    root = tree_node(it->second, root);
  return root;
}

std::vector<TreeStep> tree_path(std::vector<std::string> leaves, std::size_t index) {
  if (index >= leaves.size())
    throw std::out_of_range("no such leaf in the records tree");
  std::vector<TreeStep> path;
  while (leaves.size() > 1) {
    const std::size_t sibling = index ^ 1;
    if (sibling < leaves.size())
      path.push_back({sibling < index, leaves[sibling]});
    go_up(leaves);
    index /= 2;
  }
  return path;
}

std::string climb_tree(std::string leaf, const std::vector<TreeStep>& path) {
  for (const auto& step : path)
    leaf = step.sibling_on_left ? tree_node(step.sibling, leaf) : tree_node(leaf, step.sibling);
  return leaf;
}

}  // namespace lienthong::audit

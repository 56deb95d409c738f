#include <cstdint>
#include <string>

#include "schema_graph.hpp"

namespace lienthong::schema::detail {

// A cycle of edges that all apply to the same value ("$ref", allOf, anyOf,
// oneOf, not, if/then/else, schema dependencies) would be evaluated
// forever; one that passes through properties or items ends with the
// document. Refused, naming the cycle. Iterative depth-first search.
Status refuse_unproductive_cycles(const std::vector<Node>& nodes) {
  auto same_value_edges = [&](int i) {
    const Node& n = nodes[i];
    std::vector<int> edges;
    if (n.ref != kNone)
      edges.push_back(n.ref);
    edges.insert(edges.end(), n.all_of.begin(), n.all_of.end());
    edges.insert(edges.end(), n.any_of.begin(), n.any_of.end());
    edges.insert(edges.end(), n.one_of.begin(), n.one_of.end());
    for (const int e : {n.not_schema, n.if_schema, n.then_schema, n.else_schema}) {
      if (e != kNone)
        edges.push_back(e);
    }
    for (const auto& [name, e] : n.dependent_schemas)
      edges.push_back(e);
    return edges;
  };
  enum Color : std::uint8_t { kWhite, kGrey, kBlack };
  std::vector<Color> color(nodes.size(), kWhite);
  struct Frame {
    int node;
    std::vector<int> edges;
    std::size_t next = 0;
  };
  for (int start = 0; start < static_cast<int>(nodes.size()); ++start) {
    if (color[start] != kWhite)
      continue;
    std::vector<Frame> stack;
    stack.push_back({start, same_value_edges(start)});
    color[start] = kGrey;
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == top.edges.size()) {
        color[top.node] = kBlack;
        stack.pop_back();
        continue;
      }
      const int next = top.edges[top.next++];
      if (color[next] == kGrey) {
        std::string cycle;
        bool in_cycle = false;
        for (const auto& frame : stack) {
          in_cycle = in_cycle || frame.node == next;
          if (in_cycle)
            cycle += nodes[frame.node].location + " -> ";
        }
        cycle += nodes[next].location;
        return make_error(
            ErrorCode::kClientBadRequest,
            "invalid JSON Schema: it refers to itself without descending into the document (" +
                cycle + "), so no document could ever be checked against it");
      }
      if (color[next] == kWhite) {
        color[next] = kGrey;
        stack.push_back({next, same_value_edges(next)});
      }
    }
  }
  return Ok{};
}

}  // namespace lienthong::schema::detail

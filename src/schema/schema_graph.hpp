#pragma once
// Private to schema/: a compiled schema as a graph of nodes, one per schema
// object, children and "$ref" targets as node indices. References are edges,
// not copies, so a recursive schema is a cycle in the graph and costs nothing
// to compile; the evaluator follows edges with a budget.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lienthong/schema/json_schema.hpp"

#include "ecma_pattern.hpp"
#include "string_formats.hpp"

namespace lienthong::schema {
namespace detail {

inline constexpr int kNone = -1;

enum TypeBit : std::uint8_t {
  kNullType = 1,
  kBooleanType = 2,
  kObjectType = 4,
  kArrayType = 8,
  kNumberType = 16,
  kStringType = 32,
  kIntegerType = 64,
};

struct Node {
  bool always = false;   // the schema `true` (or {}): anything passes
  bool never = false;    // the schema `false`: nothing passes
  std::string location;  // where it was written: resource URI + "#" + pointer
  int ref = kNone;       // draft 7: a "$ref" replaces every sibling keyword

  std::uint8_t types = 0;  // TypeBit set; 0 for any
  std::optional<nlohmann::json> const_value;
  std::vector<nlohmann::json> enum_values;
  bool has_enum = false;

  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;

  std::optional<std::uint64_t> min_length, max_length;
  std::shared_ptr<const Pattern> pattern;
  std::optional<StringFormat> format;

  int items = kNone;             // one schema for every item
  std::vector<int> tuple_items;  // "items" as an array
  bool has_tuple_items = false;
  int additional_items = kNone;
  std::optional<std::uint64_t> min_items, max_items;
  bool unique_items = false;
  int contains = kNone;

  std::vector<std::pair<std::string, int>> properties;  // sorted by name
  std::vector<std::pair<std::shared_ptr<const Pattern>, int>> pattern_properties;
  int additional_properties = kNone;
  std::vector<std::string> required;
  std::optional<std::uint64_t> min_properties, max_properties;
  int property_names = kNone;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, int>> dependent_schemas;

  std::vector<int> all_of, any_of, one_of;
  int not_schema = kNone, if_schema = kNone, then_schema = kNone, else_schema = kNone;
};

}  // namespace detail

struct JsonSchema::Graph {
  std::vector<detail::Node> nodes;
  int root = 0;
  nlohmann::json document;  // the compiled document, as given
};

namespace detail {

// Builds the graph of `document` (schema_compiler.cpp).
Result<std::shared_ptr<const JsonSchema::Graph>> compile_graph(const nlohmann::json& document,
                                                               const CompileOptions& options);

// Client.BadRequest naming a cycle of edges that all apply to the same value
// ($ref, allOf, anyOf, oneOf, not, if/then/else, schema dependencies): it
// would be evaluated forever (reference_cycles.cpp).
Status refuse_unproductive_cycles(const std::vector<Node>& nodes);

// Validates `instance` against `graph` (schema_evaluator.cpp).
std::vector<SchemaViolation> evaluate(const JsonSchema::Graph& graph, const SchemaLimits& limits,
                                      const nlohmann::json& instance, std::size_t max_violations);

}  // namespace detail
}  // namespace lienthong::schema

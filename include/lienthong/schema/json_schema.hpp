#pragma once
// A compiled JSON Schema (draft 7). Compile once (per registry snapshot, or at
// start for the envelope schema), validate many times from any thread: a
// compiled schema is immutable.
//
// Schemas come from member administrators, documents from any member system,
// so nothing either says can crash or stall the hub: "$ref" cycles that never
// descend into the document are refused at compile, patterns run on RE2
// (linear time, code points), and every validation has a step and depth budget.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::schema {

struct SchemaViolation {
  std::string pointer;  // RFC 6901 JSON pointer into the validated document, "" for the root
  std::string reason;
};

// Bounds that make any schema/document pair finish in bounded time and memory.
struct SchemaLimits {
  int max_schema_depth = 64;            // nesting of the schema document itself
  std::size_t max_subschemas = 10'000;  // schema objects, referenced documents included
  std::size_t max_patterns = 1'000;     // "pattern" and "patternProperties" keys
  std::size_t max_steps = 250'000;      // subschema evaluations in one validation
  int max_evaluation_depth = 512;       // nested subschema evaluations in one validation
};

// Finds the schema document at an absolute URI (without fragment) for a
// "$ref" to another document; nullopt when it is unknown. The hub never
// fetches over the network: a resolver only looks up what it already holds.
using SchemaResolver = std::function<std::optional<nlohmann::json>(std::string_view uri)>;

struct CompileOptions {
  SchemaLimits limits;
  SchemaResolver resolver;  // empty: references to other documents are refused
  // The document's base URI when it has no "$id" of its own.
  std::string base_uri = "urn:lienthong:schema:unnamed";
};

class JsonSchema {
 public:
  // Fails with Client.BadRequest, naming the place, when `schema_document`
  // is not a usable draft-7 schema or exceeds the limits.
  static Result<std::shared_ptr<const JsonSchema>> compile(const nlohmann::json& schema_document,
                                                           const CompileOptions& options = {});
  ~JsonSchema();
  JsonSchema(const JsonSchema&) = delete;
  JsonSchema& operator=(const JsonSchema&) = delete;

  // Empty when `document` is valid; otherwise at most `max_violations`
  // entries. A document whose validation would exceed the step or depth
  // budget is invalid, with one violation that says so.
  std::vector<SchemaViolation> validate(const nlohmann::json& document,
                                        std::size_t max_violations = 20) const;

  // The schema document this was compiled from (service descriptions show it).
  const nlohmann::json& document() const;

  // How many schemas this process has compiled (tests assert compile-once with it).
  static std::uint64_t compiled_count();

  struct Graph;  // the compiled form, private to schema/ (schema_graph.hpp)
  // Made by compile(); public only because Graph cannot be named outside schema/.
  JsonSchema(std::shared_ptr<const Graph> graph, SchemaLimits limits);

 private:
  std::shared_ptr<const Graph> graph_;
  SchemaLimits limits_;
};

}  // namespace lienthong::schema

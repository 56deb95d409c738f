#include "lienthong/schema/json_schema.hpp"

#include <atomic>

#include <nlohmann/json.hpp>

#include "schema_graph.hpp"

namespace lienthong::embedded {
std::vector<std::pair<std::string_view, std::string_view>> meta_schemas();
}  // namespace lienthong::embedded

namespace lienthong::schema {
namespace {

std::atomic<std::uint64_t> g_compiled{0};

constexpr std::string_view kDraft7 = "http://json-schema.org/draft-07/schema";

bool names_draft7(const std::string& uri) {
  std::string_view id = uri;
  if (id.ends_with('#'))
    id.remove_suffix(1);
  return id == kDraft7 || id == "https://json-schema.org/draft-07/schema";
}

// The draft-07 meta-schema, compiled once: every uploaded schema is checked
// against it, so "minLength": "x" is a clear 400 and not a silently ignored keyword.
const JsonSchema& meta_schema() {
  static const std::shared_ptr<const JsonSchema> compiled = [] {
    for (const auto& [name, text] : embedded::meta_schemas()) {
      if (name == "json-schema-draft-07.json") {
        auto graph = detail::compile_graph(nlohmann::json::parse(text), CompileOptions{});
        // Checking a schema of 10,000 subschemas takes some 60 steps each.
        SchemaLimits limits;
        limits.max_steps = 5'000'000;
        if (graph.has_value())
          return std::shared_ptr<const JsonSchema>(
              new JsonSchema(std::move(graph).value(), limits));
      }
    }
    throw std::logic_error("the draft-07 meta-schema is not embedded or does not compile");
  }();
  return *compiled;
}

}  // namespace

JsonSchema::JsonSchema(std::shared_ptr<const Graph> graph, SchemaLimits limits)
    : graph_(std::move(graph)), limits_(limits) {}

JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::compile(const nlohmann::json& document,
                                                              const CompileOptions& options) {
  if (document.is_object()) {
    const auto dialect = document.find("$schema");
    if (dialect != document.end() &&
        (!dialect->is_string() || !names_draft7(dialect->get<std::string>()))) {
      return make_error(
          ErrorCode::kClientBadRequest,
          "invalid JSON Schema: the hub validates with JSON Schema draft 7; "
          "\"$schema\" must be \"http://json-schema.org/draft-07/schema#\" or absent");
    }
  }
  // The meta-schema recognises "$ref": "http://json-schema.org/draft-07/schema#".
  CompileOptions with_meta = options;
  with_meta.resolver = [outer = options.resolver](std::string_view uri) {
    if (names_draft7(std::string(uri))) {
      for (const auto& [name, text] : embedded::meta_schemas()) {
        if (name == "json-schema-draft-07.json")
          return std::optional<nlohmann::json>(nlohmann::json::parse(text));
      }
    }
    return outer ? outer(uri) : std::optional<nlohmann::json>();
  };
  auto graph = detail::compile_graph(document, with_meta);
  if (!graph.has_value())
    return std::move(graph).error();
  if (const auto violations = meta_schema().validate(document, 1); !violations.empty()) {
    const auto& first = violations.front();
    return make_error(ErrorCode::kClientBadRequest,
                      "invalid JSON Schema: at " +
                          (first.pointer.empty() ? std::string("the top") : first.pointer) + ": " +
                          first.reason);
  }
  g_compiled.fetch_add(1, std::memory_order_relaxed);
  return std::shared_ptr<const JsonSchema>(
      new JsonSchema(std::move(graph).value(), options.limits));
}

std::vector<SchemaViolation> JsonSchema::validate(const nlohmann::json& document,
                                                  std::size_t max_violations) const {
  return detail::evaluate(*graph_, limits_, document, max_violations);
}

const nlohmann::json& JsonSchema::document() const {
  return graph_->document;
}

std::uint64_t JsonSchema::compiled_count() {
  return g_compiled.load(std::memory_order_relaxed);
}

}  // namespace lienthong::schema

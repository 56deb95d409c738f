// Validates a document against a compiled graph. Recursion follows the graph
// edges, bounded by a depth and a step budget (SchemaLimits): a document that
// would need more is refused, never allowed to hold the thread or its stack.
#include <algorithm>
#include <cmath>

#include "lienthong/core/utf8.hpp"

#include "schema_graph.hpp"
#include "schema_uri.hpp"

namespace lienthong::schema::detail {
namespace {

using nlohmann::json;

bool is_integral(const json& value) {
  if (value.is_number_integer())
    return true;
  if (!value.is_number_float())
    return false;
  const double d = value.get<double>();
  return std::isfinite(d) && std::trunc(d) == d;
}

std::uint8_t type_of(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return kNullType;
    case json::value_t::boolean:
      return kBooleanType;
    case json::value_t::object:
      return kObjectType;
    case json::value_t::array:
      return kArrayType;
    case json::value_t::string:
      return kStringType;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return is_integral(value) ? (kNumberType | kIntegerType) : kNumberType;
    default:
      return 0;
  }
}

std::string type_names(std::uint8_t types) {
  static constexpr std::pair<std::uint8_t, const char*> kNames[] = {
      {kNullType, "null"},    {kBooleanType, "boolean"}, {kObjectType, "object"},
      {kArrayType, "array"},  {kNumberType, "number"},   {kIntegerType, "integer"},
      {kStringType, "string"}};
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if ((types & bit) && !(bit == kIntegerType && (types & kNumberType))) {
      if (!out.empty())
        out += " or ";
      out += name;
    }
  }
  return out;
}

// Code points in valid UTF-8 (nlohmann has checked it): bytes that do not
// continue a sequence.
std::uint64_t character_count(const std::string& text) {
  std::uint64_t count = 0;
  for (const char c : text)
    count += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return count;
}

bool is_multiple(double value, double divisor) {
  const double quotient = value / divisor;
  if (!std::isfinite(quotient)) {
    // Too large to divide: a multiple when both are integers and the
    // divisor divides an integer exactly (1e308 is a multiple of 0.5).
    const double inverse = 1.0 / divisor;
    return std::trunc(value) == value && std::trunc(inverse) == inverse;
  }
  return std::abs(quotient - std::round(quotient)) <= 1e-9 * std::max(1.0, std::abs(quotient));
}

std::string show(double number) {
  json value = number;
  if (std::trunc(number) == number && std::abs(number) < 1e15)
    value = static_cast<std::int64_t>(number);
  return value.dump();
}

class Evaluator {
 public:
  Evaluator(const JsonSchema::Graph& graph, const SchemaLimits& limits,
            std::vector<SchemaViolation>& out, std::size_t max_violations)
      : graph_(graph), limits_(limits), out_(out), max_(max_violations) {}

  bool exhausted() const { return exhausted_; }

  // `collect`: record why it fails (else stop at the first failure).
  bool valid(int index, const json& value, int depth, bool collect) {
    if (exhausted_)
      return false;
    if (++steps_ > limits_.max_steps || depth > limits_.max_evaluation_depth) {
      exhausted_ = true;
      return false;
    }
    const Node& node = graph_.nodes[index];
    if (node.always)
      return true;
    if (node.never)
      return fail(collect, "no value is allowed here");
    if (node.ref != kNone)
      return valid(node.ref, value, depth + 1, collect);

    Scope scope{collect && out_.size() < max_};
    const std::uint8_t type = type_of(value);
    if (node.types != 0 && (node.types & type) == 0)
      return fail(scope.collect, "expected " + type_names(node.types));
    const bool stopped =
        (node.const_value && !(*node.const_value == value) &&
         record(scope, "must be " + node.const_value->dump())) ||
        (node.has_enum &&
         std::none_of(node.enum_values.begin(), node.enum_values.end(),
                      [&](const json& allowed) { return allowed == value; }) &&
         record(scope, "must be one of the values the schema lists")) ||
        ((type & kNumberType) && numbers(node, value, scope)) ||
        (type == kStringType && strings(node, value.get_ref<const std::string&>(), scope)) ||
        (type == kArrayType && arrays(node, value, depth, scope)) ||
        (type == kObjectType && objects(node, value, depth, scope)) ||
        combinators(node, value, depth, scope);
    (void)stopped;
    return scope.ok && !exhausted_;
  }

 private:
  struct Scope {
    bool collect;
    bool ok = true;
  };

  // Records a failed keyword; true when evaluation of this schema should stop.
  bool record(Scope& scope, std::string reason) {
    scope.ok = false;
    fail(scope.collect, std::move(reason));
    return should_stop(scope);
  }

  // Notes a nested schema's result (it recorded its own reasons); true to stop.
  bool nested(Scope& scope, bool result) {
    if (result)
      return false;
    scope.ok = false;
    return should_stop(scope);
  }

  bool should_stop(const Scope& scope) const {
    return !scope.collect || exhausted_ || out_.size() >= max_;
  }

  // Each of these returns true when evaluation should stop.
  bool numbers(const Node& node, const json& value, Scope& scope) {
    const double number = value.get<double>();
    return (node.minimum && number < *node.minimum &&
            record(scope, "must be at least " + show(*node.minimum))) ||
           (node.maximum && number > *node.maximum &&
            record(scope, "must be at most " + show(*node.maximum))) ||
           (node.exclusive_minimum && number <= *node.exclusive_minimum &&
            record(scope, "must be greater than " + show(*node.exclusive_minimum))) ||
           (node.exclusive_maximum && number >= *node.exclusive_maximum &&
            record(scope, "must be less than " + show(*node.exclusive_maximum))) ||
           (node.multiple_of && !is_multiple(number, *node.multiple_of) &&
            record(scope, "must be a multiple of " + show(*node.multiple_of)));
  }

  bool strings(const Node& node, const std::string& text, Scope& scope) {
    if (node.min_length || node.max_length) {
      const auto length = character_count(text);
      if (node.min_length && length < *node.min_length &&
          record(scope,
                 "must be at least " + std::to_string(*node.min_length) + " characters long"))
        return true;
      if (node.max_length && length > *node.max_length &&
          record(scope, "must be at most " + std::to_string(*node.max_length) + " characters long"))
        return true;
    }
    return (node.pattern && !node.pattern->search(text) &&
            record(scope, "does not match the pattern " + node.pattern->source())) ||
           (node.format && !matches_format(*node.format, text) &&
            record(scope, "is not a valid " + format_name(*node.format)));
  }

  static std::string format_name(StringFormat format) {
    static constexpr const char* kNames[] = {
        "date", "time",          "date-time",    "email",        "hostname",
        "ipv4", "ipv6",          "uuid",         "uri",          "uri-reference",
        "iri",  "iri-reference", "uri-template", "json-pointer", "relative-json-pointer",
        "regex"};
    return kNames[static_cast<int>(format)];
  }

  bool arrays(const Node& node, const json& value, int depth, Scope& scope) {
    const auto size = value.size();
    if ((node.min_items && size < *node.min_items &&
         record(scope, "must have at least " + std::to_string(*node.min_items) + " items")) ||
        (node.max_items && size > *node.max_items &&
         record(scope, "must have at most " + std::to_string(*node.max_items) + " items")) ||
        (node.unique_items && !unique(value) && record(scope, "items must be unique")))
      return true;
    for (std::size_t i = 0; i < size; ++i) {
      int schema = node.items;
      if (node.has_tuple_items)
        schema = i < node.tuple_items.size() ? node.tuple_items[i] : node.additional_items;
      if (schema == kNone)
        continue;
      const auto mark = path_.size();
      path_ += '/';
      path_ += std::to_string(i);
      const bool item_ok = valid(schema, value[i], depth + 1, scope.collect);
      path_.resize(mark);
      if (nested(scope, item_ok))
        return true;
    }
    if (node.contains != kNone) {
      bool found = false;
      for (const auto& item : value) {
        if (valid(node.contains, item, depth + 1, false)) {
          found = true;
          break;
        }
        if (exhausted_)
          return true;
      }
      if (!found && record(scope, "must contain an item that matches the \"contains\" schema"))
        return true;
    }
    return false;
  }

  // Sorting makes this n log n: an array of 100,000 items from a 1 MiB body
  // must not cost 10^10 comparisons. nlohmann orders numbers across integer
  // and float as it compares them, so equal items end up side by side.
  static bool unique(const json& array) {
    std::vector<const json*> items;
    items.reserve(array.size());
    for (const auto& item : array)
      items.push_back(&item);
    std::sort(items.begin(), items.end(), [](const json* a, const json* b) { return *a < *b; });
    for (std::size_t i = 1; i < items.size(); ++i) {
      if (*items[i - 1] == *items[i])
        return false;
    }
    return true;
  }

  bool objects(const Node& node, const json& value, int depth, Scope& scope) {
    const auto size = value.size();
    if ((node.min_properties && size < *node.min_properties &&
         record(scope,
                "must have at least " + std::to_string(*node.min_properties) + " properties")) ||
        (node.max_properties && size > *node.max_properties &&
         record(scope,
                "must have at most " + std::to_string(*node.max_properties) + " properties")))
      return true;
    for (const auto& name : node.required) {
      if (!value.contains(name)) {
        const auto mark = path_.size();
        append_pointer_token(path_, name);
        const bool stop = record(scope, "is required");
        path_.resize(mark);
        if (stop)
          return true;
      }
    }
    for (const auto& [name, others] : node.dependent_required) {
      if (!value.contains(name))
        continue;
      for (const auto& other : others) {
        if (!value.contains(other) &&
            record(scope, "\"" + other + "\" is required when \"" + name + "\" is present"))
          return true;
      }
    }
    for (const auto& [name, schema] : node.dependent_schemas) {
      if (value.contains(name) && nested(scope, valid(schema, value, depth + 1, scope.collect)))
        return true;
    }
    for (const auto& [name, member] : value.items()) {
      const auto mark = path_.size();
      append_pointer_token(path_, name);
      const bool stop = property(node, name, member, depth, scope);
      path_.resize(mark);
      if (stop)
        return true;
    }
    return false;
  }

  bool property(const Node& node, const std::string& name, const json& member, int depth,
                Scope& scope) {
    if (node.property_names != kNone && !valid(node.property_names, json(name), depth + 1, false) &&
        record(scope, "is not an allowed property name"))
      return true;
    bool matched = false;
    const auto declared =
        std::lower_bound(node.properties.begin(), node.properties.end(), name,
                         [](const std::pair<std::string, int>& entry, const std::string& key) {
                           return entry.first < key;
                         });
    if (declared != node.properties.end() && declared->first == name) {
      matched = true;
      if (nested(scope, valid(declared->second, member, depth + 1, scope.collect)))
        return true;
    }
    for (const auto& [pattern, schema] : node.pattern_properties) {
      if (pattern->search(name)) {
        matched = true;
        if (nested(scope, valid(schema, member, depth + 1, scope.collect)))
          return true;
      }
    }
    if (matched || node.additional_properties == kNone)
      return false;
    if (graph_.nodes[node.additional_properties].never)
      return record(scope, "is not a property the schema allows");
    return nested(scope, valid(node.additional_properties, member, depth + 1, scope.collect));
  }

  bool combinators(const Node& node, const json& value, int depth, Scope& scope) {
    for (const int schema : node.all_of) {
      if (nested(scope, valid(schema, value, depth + 1, scope.collect)))
        return true;
    }
    if (!node.any_of.empty()) {
      const bool any = std::any_of(node.any_of.begin(), node.any_of.end(), [&](int schema) {
        return valid(schema, value, depth + 1, false);
      });
      if (exhausted_)
        return true;
      if (!any && record(scope, "does not match any of the alternatives (anyOf)"))
        return true;
    }
    if (!node.one_of.empty()) {
      int matches = 0;
      for (const int schema : node.one_of) {
        matches += valid(schema, value, depth + 1, false);
        if (matches > 1 || exhausted_)
          break;
      }
      if (exhausted_)
        return true;
      if (matches != 1 &&
          record(scope, matches == 0 ? "does not match any of the alternatives (oneOf)"
                                     : "matches more than one of the alternatives (oneOf)"))
        return true;
    }
    if (node.not_schema != kNone && valid(node.not_schema, value, depth + 1, false) &&
        record(scope, "must not match the \"not\" schema"))
      return true;
    if (exhausted_)
      return true;
    if (node.if_schema != kNone) {
      const bool condition = valid(node.if_schema, value, depth + 1, false);
      const int branch = condition ? node.then_schema : node.else_schema;
      if (branch != kNone && nested(scope, valid(branch, value, depth + 1, scope.collect)))
        return true;
    }
    return false;
  }

  bool fail(bool collect, std::string reason) {
    if (collect && !exhausted_ && out_.size() < max_)
      out_.push_back({path_, std::move(reason)});
    return false;
  }

  const JsonSchema::Graph& graph_;
  const SchemaLimits& limits_;
  std::vector<SchemaViolation>& out_;
  std::size_t max_;
  std::size_t steps_ = 0;
  bool exhausted_ = false;
  std::string path_;
};

}  // namespace

std::vector<SchemaViolation> evaluate(const JsonSchema::Graph& graph, const SchemaLimits& limits,
                                      const json& instance, std::size_t max_violations) {
  std::vector<SchemaViolation> violations;
  Evaluator evaluator(graph, limits, violations, std::max<std::size_t>(max_violations, 1));
  const bool ok = evaluator.valid(graph.root, instance, 0, true);
  if (evaluator.exhausted()) {
    return {{"", "the document could not be checked within the validation budget (" +
                     std::to_string(limits.max_steps) + " steps, " +
                     std::to_string(limits.max_evaluation_depth) +
                     " levels): it is too large or too deep for its schema"}};
  }
  if (!ok && violations.empty())
    violations.push_back({"", "the document does not match the schema"});
  return violations;
}

}  // namespace lienthong::schema::detail

// Compiles a draft-7 schema document into a JsonSchema::Graph in three passes:
// index every schema object reachable through schema keywords with its base
// URI ("$id" scoping), build nodes for them, then resolve "$ref" edges from a
// work list (never by recursion on references). Then two safety checks: no
// cycle of references that never descends into the document, and the whole
// schema within the limits.
#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "schema_graph.hpp"
#include "schema_keywords.hpp"
#include "schema_uri.hpp"

namespace lienthong::schema::detail {
namespace {

using nlohmann::json;

Error invalid(std::string why) {
  return make_error(ErrorCode::kClientBadRequest, "invalid JSON Schema: " + std::move(why));
}

class Compiler {
 public:
  explicit Compiler(const CompileOptions& options) : options_(options) {}

  Result<std::shared_ptr<const JsonSchema::Graph>> run(const json& document) {
    auto graph = std::make_shared<JsonSchema::Graph>();
    graph->document = document;
    graph_ = graph.get();
    const json& root = graph->document;

    const auto base = resolve_uri(options_.base_uri, "");
    if (!base)
      return invalid("the base URI '" + options_.base_uri + "' is not a URI");
    if (auto indexed = index_resource(root, base->resource); !indexed.has_value())
      return std::move(indexed).error();
    auto root_node = node_for(root);
    if (!root_node.has_value())
      return std::move(root_node).error();
    graph->root = root_node.value();
    if (auto resolved = resolve_references(); !resolved.has_value())
      return std::move(resolved).error();
    if (auto acyclic = refuse_unproductive_cycles(graph->nodes); !acyclic.has_value())
      return std::move(acyclic).error();
    return std::shared_ptr<const JsonSchema::Graph>(std::move(graph));
  }

 private:
  struct Place {
    std::string base;      // the base URI in force at this schema
    std::string location;  // for messages: resource#pointer
  };
  struct PendingRef {
    int node;
    std::string base;
    std::string reference;
  };

  // Pass 1: every schema object with its base URI; "$id"s as names.
  Status index_resource(const json& document, const std::string& base) {
    resources_.emplace(base, &document);
    return index_schema(document, base, base, "", 0);
  }

  Status index_schema(const json& schema, std::string base, const std::string& resource,
                      const std::string& pointer, int depth) {
    if (depth > options_.limits.max_schema_depth) {
      return invalid("it nests deeper than " + std::to_string(options_.limits.max_schema_depth) +
                     " levels at " + resource + "#" + pointer);
    }
    if (++indexed_ > options_.limits.max_subschemas) {
      return invalid("it has more than " + std::to_string(options_.limits.max_subschemas) +
                     " subschemas");
    }
    std::string location_resource = resource;
    std::string location_pointer = pointer;
    if (schema.is_object()) {
      const auto id = schema.find("$id");
      // Draft 7: "$ref" makes every sibling keyword, "$id" included, ignored.
      if (id != schema.end() && id->is_string() && !schema.contains("$ref")) {
        const auto resolved = resolve_uri(base, id->get_ref<const std::string&>());
        if (!resolved)
          return invalid("\"$id\" '" + id->get<std::string>() + "' is not a URI reference");
        if (resolved->has_fragment && !resolved->fragment.empty()) {
          anchors_.emplace(resolved->resource + "#" + resolved->fragment, &schema);
        }
        if (!id->get_ref<const std::string&>().starts_with('#')) {
          base = resolved->resource;
          resources_.emplace(base, &schema);
          location_resource = base;
          location_pointer.clear();
        }
      }
    }
    places_.emplace(&schema, Place{base, location_resource + "#" + location_pointer});
    if (!schema.is_object())
      return Ok{};
    auto descend = [&](const json& child, std::string_view a, std::optional<std::string> b) {
      std::string child_pointer = location_pointer;
      append_pointer_token(child_pointer, a);
      if (b)
        append_pointer_token(child_pointer, *b);
      return index_schema(child, base, location_resource, child_pointer, depth + 1);
    };
    for (const auto& [key, value] : schema.items()) {
      const std::string_view name = key;
      if (std::find(std::begin(kSchemaKeywords), std::end(kSchemaKeywords), name) !=
          std::end(kSchemaKeywords)) {
        LIENTHONG_RETURN_IF_ERROR(descend(value, name, std::nullopt));
      } else if (name == "items") {
        if (value.is_array()) {
          for (std::size_t i = 0; i < value.size(); ++i)
            LIENTHONG_RETURN_IF_ERROR(descend(value[i], name, std::to_string(i)));
        } else {
          LIENTHONG_RETURN_IF_ERROR(descend(value, name, std::nullopt));
        }
      } else if (std::find(std::begin(kSchemaArrayKeywords), std::end(kSchemaArrayKeywords),
                           name) != std::end(kSchemaArrayKeywords)) {
        if (value.is_array()) {
          for (std::size_t i = 0; i < value.size(); ++i)
            LIENTHONG_RETURN_IF_ERROR(descend(value[i], name, std::to_string(i)));
        }
      } else if (std::find(std::begin(kSchemaMapKeywords), std::end(kSchemaMapKeywords), name) !=
                     std::end(kSchemaMapKeywords) ||
                 name == "dependencies") {
        if (value.is_object()) {
          for (const auto& [member, child] : value.items()) {
            if (name == "dependencies" && child.is_array())
              continue;  // a list of property names, not a schema
            LIENTHONG_RETURN_IF_ERROR(descend(child, name, member));
          }
        }
      }
    }
    return Ok{};
  }

  // Pass 2: the node of one indexed schema, children first.
  Result<int> node_for(const json& schema) {
    if (const auto known = node_of_.find(&schema); known != node_of_.end())
      return known->second;
    const auto place = places_.find(&schema);
    if (place == places_.end())
      return invalid("a reference leads to a value that is not a schema");
    if (!schema.is_object() && !schema.is_boolean()) {
      return invalid("the schema at " + place->second.location +
                     " is neither an object nor a boolean");
    }
    const int index = static_cast<int>(graph_->nodes.size());
    if (graph_->nodes.size() >= options_.limits.max_subschemas) {
      return invalid("it has more than " + std::to_string(options_.limits.max_subschemas) +
                     " subschemas");
    }
    graph_->nodes.emplace_back();
    node_of_.emplace(&schema, index);
    graph_->nodes[index].location = place->second.location;
    if (schema.is_boolean()) {
      graph_->nodes[index].always = schema.get<bool>();
      graph_->nodes[index].never = !schema.get<bool>();
      return index;
    }
    if (const auto ref = schema.find("$ref"); ref != schema.end()) {
      if (!ref->is_string())
        return invalid("\"$ref\" at " + place->second.location + " is not a string");
      pending_.push_back({index, place->second.base, ref->get<std::string>()});
      return index;
    }
    Node node;
    node.location = place->second.location;
    LIENTHONG_RETURN_IF_ERROR(fill(node, schema));
    node.always = node_has_no_assertion(schema);
    graph_->nodes[index] = std::move(node);
    return index;
  }

  static bool node_has_no_assertion(const json& schema) {
    static constexpr std::string_view kAnnotations[] = {
        "$id",      "$schema",  "$comment",  "title",       "description",      "default",
        "examples", "readOnly", "writeOnly", "definitions", "contentMediaType", "contentEncoding"};
    for (const auto& [key, value] : schema.items()) {
      if (std::find(std::begin(kAnnotations), std::end(kAnnotations), key) ==
          std::end(kAnnotations))
        return false;
    }
    return true;
  }

  Result<int> child(const json& value) { return node_for(value); }

  Status fill(Node& node, const json& schema) {
    for (const auto& [key, value] : schema.items()) {
      if (key == "type") {
        if (value.is_array()) {
          for (const auto& name : value) {
            if (const auto bit = type_bit(name))
              node.types |= *bit;
          }
          if (node.types == 0)
            node.types = 0xff & ~kIntegerType;  // an empty list: no type matches
        } else if (const auto bit = type_bit(value)) {
          node.types = *bit;
        }
        if (node.types & kNumberType)
          node.types |= kIntegerType;
      } else if (key == "const") {
        node.const_value = value;
      } else if (key == "enum" && value.is_array()) {
        node.has_enum = true;
        node.enum_values.assign(value.begin(), value.end());
      } else if (value.is_number() &&
                 (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
                  key == "exclusiveMaximum" || key == "multipleOf")) {
        const double number = value.get<double>();
        if (key == "minimum")
          node.minimum = number;
        else if (key == "maximum")
          node.maximum = number;
        else if (key == "exclusiveMinimum")
          node.exclusive_minimum = number;
        else if (key == "exclusiveMaximum")
          node.exclusive_maximum = number;
        else if (number > 0)
          node.multiple_of = number;
      } else if (key == "minLength") {
        node.min_length = non_negative_integer(value);
      } else if (key == "maxLength") {
        node.max_length = non_negative_integer(value);
      } else if (key == "pattern" && value.is_string()) {
        auto compiled = compile_pattern(value.get_ref<const std::string&>());
        if (!compiled.has_value())
          return std::move(compiled).error();
        node.pattern = std::move(compiled).value();
      } else if (key == "format" && value.is_string()) {
        node.format = checked_format(value.get_ref<const std::string&>());
      } else if (key == "items") {
        if (value.is_array()) {
          node.has_tuple_items = true;
          for (const auto& item : value) {
            auto index = child(item);
            if (!index.has_value())
              return std::move(index).error();
            node.tuple_items.push_back(index.value());
          }
        } else {
          LIENTHONG_RETURN_IF_ERROR(assign_child(node.items, value));
        }
      } else if (key == "additionalItems") {
        LIENTHONG_RETURN_IF_ERROR(assign_child(node.additional_items, value));
      } else if (key == "minItems") {
        node.min_items = non_negative_integer(value);
      } else if (key == "maxItems") {
        node.max_items = non_negative_integer(value);
      } else if (key == "uniqueItems") {
        node.unique_items = value.is_boolean() && value.get<bool>();
      } else if (key == "contains") {
        LIENTHONG_RETURN_IF_ERROR(assign_child(node.contains, value));
      } else if (key == "properties" && value.is_object()) {
        for (const auto& [name, property] : value.items()) {
          auto index = child(property);
          if (!index.has_value())
            return std::move(index).error();
          node.properties.emplace_back(name, index.value());
        }
        std::sort(node.properties.begin(), node.properties.end());
      } else if (key == "patternProperties" && value.is_object()) {
        for (const auto& [pattern, property] : value.items()) {
          auto compiled = compile_pattern(pattern);
          if (!compiled.has_value())
            return std::move(compiled).error();
          auto index = child(property);
          if (!index.has_value())
            return std::move(index).error();
          node.pattern_properties.emplace_back(std::move(compiled).value(), index.value());
        }
      } else if (key == "additionalProperties") {
        LIENTHONG_RETURN_IF_ERROR(assign_child(node.additional_properties, value));
      } else if (key == "required" && value.is_array()) {
        for (const auto& name : value) {
          if (name.is_string())
            node.required.push_back(name.get<std::string>());
        }
      } else if (key == "minProperties") {
        node.min_properties = non_negative_integer(value);
      } else if (key == "maxProperties") {
        node.max_properties = non_negative_integer(value);
      } else if (key == "propertyNames") {
        LIENTHONG_RETURN_IF_ERROR(assign_child(node.property_names, value));
      } else if (key == "dependencies" && value.is_object()) {
        for (const auto& [name, dependency] : value.items()) {
          if (dependency.is_array()) {
            std::vector<std::string> names;
            for (const auto& other : dependency) {
              if (other.is_string())
                names.push_back(other.get<std::string>());
            }
            node.dependent_required.emplace_back(name, std::move(names));
          } else {
            auto index = child(dependency);
            if (!index.has_value())
              return std::move(index).error();
            node.dependent_schemas.emplace_back(name, index.value());
          }
        }
      } else if ((key == "allOf" || key == "anyOf" || key == "oneOf") && value.is_array()) {
        auto& list = key == "allOf" ? node.all_of : key == "anyOf" ? node.any_of : node.one_of;
        for (const auto& item : value) {
          auto index = child(item);
          if (!index.has_value())
            return std::move(index).error();
          list.push_back(index.value());
        }
      } else if (key == "not") {
        LIENTHONG_RETURN_IF_ERROR(assign_child(node.not_schema, value));
      } else if (key == "if") {
        LIENTHONG_RETURN_IF_ERROR(assign_child(node.if_schema, value));
      } else if (key == "then") {
        LIENTHONG_RETURN_IF_ERROR(assign_child(node.then_schema, value));
      } else if (key == "else") {
        LIENTHONG_RETURN_IF_ERROR(assign_child(node.else_schema, value));
      }
    }
    return Ok{};
  }

  Status assign_child(int& slot, const json& value) {
    auto index = child(value);
    if (!index.has_value())
      return std::move(index).error();
    slot = index.value();
    return Ok{};
  }

  Result<std::shared_ptr<const Pattern>> compile_pattern(const std::string& source) {
    if (const auto known = patterns_.find(source); known != patterns_.end())
      return known->second;
    if (patterns_.size() >= options_.limits.max_patterns) {
      return invalid("it has more than " + std::to_string(options_.limits.max_patterns) +
                     " patterns");
    }
    auto compiled = Pattern::compile(source);
    if (!compiled.has_value())
      return invalid(compiled.error().detail);
    patterns_.emplace(source, compiled.value());
    return compiled;
  }

  // Pass 3: "$ref" edges, from a work list: a chain of references costs a
  // loop iteration each, never a stack frame.
  Status resolve_references() {
    while (!pending_.empty()) {
      const PendingRef pending = std::move(pending_.back());
      pending_.pop_back();
      const std::string where = graph_->nodes[pending.node].location;
      const auto uri = resolve_uri(pending.base, pending.reference);
      if (!uri)
        return invalid("\"$ref\" '" + pending.reference + "' at " + where + " is not a URI");
      const json* target = nullptr;
      if (uri->has_fragment && !uri->fragment.empty() && uri->fragment.front() != '/') {
        auto resource = load_resource(uri->resource, pending.reference, where);
        if (!resource.has_value())
          return std::move(resource).error();
        const auto anchor = anchors_.find(uri->resource + "#" + uri->fragment);
        target = anchor == anchors_.end() ? nullptr : anchor->second;
      } else {
        auto resource = load_resource(uri->resource, pending.reference, where);
        if (!resource.has_value())
          return std::move(resource).error();
        target = follow_pointer(*resource.value(), uri->fragment);
        if (target != nullptr && places_.find(target) == places_.end()) {
          // A pointer into a place no keyword marks as a schema: index it
          // there, under the base of the resource it is in.
          LIENTHONG_RETURN_IF_ERROR(
              index_schema(*target, uri->resource, uri->resource, uri->fragment, 0));
        }
      }
      if (target == nullptr) {
        return invalid("\"$ref\" '" + pending.reference + "' at " + where +
                       " leads nowhere in the schema");
      }
      auto index = node_for(*target);
      if (!index.has_value())
        return std::move(index).error();
      graph_->nodes[pending.node].ref = index.value();
    }
    return Ok{};
  }

  Result<const json*> load_resource(const std::string& uri, const std::string& reference,
                                    const std::string& where) {
    if (const auto known = resources_.find(uri); known != resources_.end())
      return known->second;
    std::optional<json> fetched;
    if (options_.resolver)
      fetched = options_.resolver(uri);
    if (!fetched) {
      return invalid("\"$ref\" '" + reference + "' at " + where + " names " + uri +
                     ", which is neither in this schema nor a schema the hub holds");
    }
    const json& stored = remote_documents_.emplace_back(std::move(*fetched));
    LIENTHONG_RETURN_IF_ERROR(index_resource(stored, uri));
    return &stored;
  }

  const CompileOptions& options_;
  JsonSchema::Graph* graph_ = nullptr;
  std::size_t indexed_ = 0;
  std::unordered_map<std::string, const json*> resources_;
  std::unordered_map<std::string, const json*> anchors_;
  std::unordered_map<const json*, Place> places_;
  std::unordered_map<const json*, int> node_of_;
  std::unordered_map<std::string, std::shared_ptr<const Pattern>> patterns_;
  std::vector<PendingRef> pending_;
  std::deque<json> remote_documents_;
};

}  // namespace

Result<std::shared_ptr<const JsonSchema::Graph>> compile_graph(const json& document,
                                                               const CompileOptions& options) {
  Compiler compiler(options);
  return compiler.run(document);
}

}  // namespace lienthong::schema::detail

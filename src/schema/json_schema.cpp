#include "lienthong/schema/json_schema.hpp"

#include <atomic>
#include <optional>
#include <regex>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace lienthong::schema {
namespace {

std::atomic<std::uint64_t> g_compiled{0};

// valijson reports where an error is as {"<root>", "[header]", "[0]"};
// callers expect an RFC 6901 pointer ("/header/0").
std::string to_json_pointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (const auto& part : context) {
    if (part.size() < 2 || part.front() != '[' || part.back() != ']')
      continue;
    pointer.push_back('/');
    for (const char c : std::string_view(part).substr(1, part.size() - 2)) {
      if (c == '~') {
        pointer += "~0";
      } else if (c == '/') {
        pointer += "~1";
      } else {
        pointer.push_back(c);
      }
    }
  }
  return pointer;
}

bool is_regular_expression(const std::string& pattern) {
  try {
    std::regex compiled(pattern);  // as valijson will compile it
    return true;
  } catch (const std::regex_error&) {
    return false;
  }
}

// valijson compiles "pattern" and the keys of "patternProperties" only while
// validating, where one std::regex cannot read would throw in the middle of
// an exchange. Returns the first such pattern in `schema`, if any. Values
// that are data, not schemas ("enum", "const", ...), are not looked into.
std::optional<std::string> invalid_pattern(const nlohmann::json& schema) {
  if (schema.is_array()) {
    for (const auto& item : schema) {
      if (auto found = invalid_pattern(item))
        return found;
    }
    return std::nullopt;
  }
  if (!schema.is_object())
    return std::nullopt;
  for (const auto& [key, value] : schema.items()) {
    if (key == "enum" || key == "const" || key == "default" || key == "examples")
      continue;
    if (key == "pattern" && value.is_string() && !is_regular_expression(value.get<std::string>()))
      return value.get<std::string>();
    if (key == "patternProperties" && value.is_object()) {
      for (const auto& [property_pattern, ignored] : value.items()) {
        if (!is_regular_expression(property_pattern))
          return property_pattern;
      }
    }
    if (auto found = invalid_pattern(value))
      return found;
  }
  return std::nullopt;
}

// valijson compiles every "pattern" into a std::regex and caches it in the
// Validator. A Validator made per call compiled each pattern on each request
// (57 % of the hub's CPU under load, docs/performance.md), so every thread
// keeps one. Its cache is keyed by the pattern's text, which makes it right
// for any schema; it is renewed after kRenewAfterCompilations further schemas
// have been compiled, so the patterns of replaced schemas do not pile up.
constexpr std::uint64_t kRenewAfterCompilations = 1000;

class ThreadValidator {
 public:
  static valijson::Validator& get() {
    thread_local std::optional<ThreadValidator> current;
    const auto compiled = g_compiled.load(std::memory_order_relaxed);
    if (!current || compiled - current->made_at_ > kRenewAfterCompilations)
      current.emplace(compiled);
    return current->validator_;
  }
  explicit ThreadValidator(std::uint64_t made_at) : made_at_(made_at) {}

 private:
  valijson::Validator validator_{valijson::Validator::kStrongTypes};
  std::uint64_t made_at_;
};

}  // namespace

struct JsonSchema::Impl {
  valijson::Schema schema;
  nlohmann::json document;
};

JsonSchema::JsonSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::compile(const nlohmann::json& document) {
  auto impl = std::make_unique<Impl>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document);
    parser.populateSchema(adapter, impl->schema);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kClientBadRequest,
                      std::string("invalid JSON Schema: ") + e.what());
  }
  if (const auto pattern = invalid_pattern(document)) {
    return make_error(ErrorCode::kClientBadRequest, "invalid JSON Schema: pattern '" + *pattern +
                                                        "' is not a valid regular expression");
  }
  impl->document = document;
  g_compiled.fetch_add(1, std::memory_order_relaxed);
  return std::shared_ptr<const JsonSchema>(new JsonSchema(std::move(impl)));
}

std::vector<SchemaViolation> JsonSchema::validate(const nlohmann::json& document,
                                                  std::size_t max_violations) const {
  valijson::Validator& validator = ThreadValidator::get();
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  std::vector<SchemaViolation> violations;
  if (validator.validate(impl_->schema, adapter, &results))
    return violations;
  valijson::ValidationResults::Error error;
  while (violations.size() < max_violations && results.popError(error)) {
    violations.push_back({to_json_pointer(error.context), error.description});
  }
  if (violations.empty())
    violations.push_back({"", "the document does not match the schema"});
  return violations;
}

const nlohmann::json& JsonSchema::document() const {
  return impl_->document;
}

std::uint64_t JsonSchema::compiled_count() {
  return g_compiled.load(std::memory_order_relaxed);
}

}  // namespace lienthong::schema

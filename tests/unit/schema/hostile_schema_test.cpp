// Schemas and documents an attacker would send: each of these crashed or
// stalled the hub with the previous validator (valijson 1.0 with std::regex).
// They must now be refused at compile with a clear reason, or validated in
// bounded time and stack, with the right answer. Run under ASan in test.sh.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lienthong/schema/json_schema.hpp"

namespace lienthong::schema {
namespace {

using nlohmann::json;

std::shared_ptr<const JsonSchema> compiled(const json& document) {
  auto result = JsonSchema::compile(document);
  if (!result.has_value()) {
    ADD_FAILURE() << document.dump() << ": " << result.error().detail;
    return nullptr;
  }
  return std::move(result).value();
}

bool accepts(const json& schema, const json& document) {
  const auto compiled_schema = compiled(schema);
  return compiled_schema && compiled_schema->validate(document).empty();
}

TEST(HostileSchemas, ReferenceCyclesThatNeverDescendAreRefusedNamingTheCycle) {
  for (const auto& document : {
           json::parse(R"({"$ref": "#"})"),
           json::parse(R"({"definitions": {"a": {"$ref": "#/definitions/b"},
                                           "b": {"$ref": "#/definitions/a"}},
                           "$ref": "#/definitions/a"})"),
           json::parse(R"({"definitions": {"a": {"allOf": [{"$ref": "#/definitions/a"}]}},
                           "$ref": "#/definitions/a"})"),
           json::parse(R"({"anyOf": [{"type": "string"}, {"$ref": "#"}]})"),
           json::parse(R"({"if": {"$ref": "#"}})"),
       }) {
    const auto result = JsonSchema::compile(document);
    ASSERT_FALSE(result.has_value()) << document.dump();
    EXPECT_NE(result.error().detail.find("refers to itself without descending"), std::string::npos)
        << result.error().detail;
    EXPECT_NE(result.error().detail.find("#"), std::string::npos) << result.error().detail;
  }
}

TEST(HostileSchemas, RecursiveDataStructuresAreSupportedAndBoundedByTheDocument) {
  // A tree: legitimate recursion, through "properties" and "items".
  const auto tree = compiled(json::parse(R"({
    "type": "object", "required": ["name"],
    "properties": {"name": {"type": "string"},
                   "children": {"type": "array", "items": {"$ref": "#"}}}})"));
  ASSERT_TRUE(tree);
  json document = {{"name", "leaf"}};
  for (int i = 0; i < 50; ++i)
    document = {{"name", "n" + std::to_string(i)}, {"children", json::array({document})}};
  EXPECT_TRUE(tree->validate(document).empty());

  // Deeper than the evaluation budget allows: refused with a reason, no overflow.
  const auto nested_arrays = compiled(json::parse(R"({"items": {"$ref": "#"}})"));
  ASSERT_TRUE(nested_arrays);
  json deep = json::array();
  for (int i = 0; i < 5'000; ++i)
    deep = json::array({std::move(deep)});
  const auto violations = nested_arrays->validate(deep);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].reason.find("validation budget"), std::string::npos);
}

TEST(HostileSchemas, ExponentialSchemasStopAtTheStepBudget) {
  // Each level applies the next one twice to the same value: 2^40 evaluations.
  json definitions = json::object();
  definitions["d40"] = {{"type", "string"}};
  for (int i = 39; i >= 0; --i) {
    const std::string next = "#/definitions/d" + std::to_string(i + 1);
    definitions["d" + std::to_string(i)] = {{"allOf", {{{"$ref", next}}, {{"$ref", next}}}}};
  }
  const auto schema = compiled({{"definitions", definitions}, {"$ref", "#/definitions/d0"}});
  ASSERT_TRUE(schema);
  const auto violations = schema->validate("text");
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].reason.find("validation budget"), std::string::npos);
}

TEST(HostileSchemas, LongStringsDoNotRecursePerCharacter) {
  const std::string digits(50'000, '7');
  EXPECT_TRUE(accepts({{"pattern", "^[0-9]*$"}}, digits));
  EXPECT_FALSE(accepts({{"pattern", "^[0-9]*$"}}, digits + "x"));
  std::string ab;
  for (int i = 0; i < 50'000; ++i)
    ab += i % 2 ? 'a' : 'b';
  EXPECT_TRUE(accepts({{"pattern", "^(a|b)*$"}}, ab));
  EXPECT_TRUE(accepts({{"pattern", "^.*$"}}, std::string(100'000, 'z')));
  EXPECT_TRUE(accepts({{"pattern", "^.*$"}}, std::string(900'000, 'z')));
}

TEST(HostileSchemas, NestedQuantifiersRunInLinearTime) {
  // 10 s for 28 characters with backtracking; RE2 answers at once.
  EXPECT_FALSE(accepts({{"pattern", "^(a+)+$"}}, std::string(28, 'a') + "!"));
  EXPECT_FALSE(accepts({{"pattern", "^(a+)+$"}}, std::string(100'000, 'a') + "!"));
  EXPECT_FALSE(accepts({{"pattern", "^(a|aa)*$"}}, std::string(100'000, 'a') + "!"));
  EXPECT_TRUE(accepts({{"pattern", "^(a+)+$"}}, std::string(100'000, 'a')));
}

TEST(HostileSchemas, ConstructsThatNeedBacktrackingAreRefusedByName) {
  for (const auto& [pattern, named] :
       std::vector<std::pair<std::string, std::string>>{{"^(a)\\1$", "backreferences"},
                                                        {"^(?=a)a$", "lookahead"},
                                                        {"(?<!x)y", "lookbehind"},
                                                        {"a{1001}", "repetition"}}) {
    const auto result = JsonSchema::compile({{"pattern", pattern}});
    ASSERT_FALSE(result.has_value()) << pattern;
    EXPECT_NE(result.error().detail.find(pattern), std::string::npos) << result.error().detail;
    EXPECT_NE(result.error().detail.find(named), std::string::npos) << result.error().detail;
  }
}

TEST(HostileSchemas, PatternsCountCharactersNotBytes) {
  EXPECT_TRUE(accepts({{"pattern", "^.{2}$"}}, "Đỗ"));
  EXPECT_TRUE(accepts({{"pattern", "^[A-Za-zÀ-ỹ ]{1,10}$"}}, "Nguyễn Thị"));
  EXPECT_TRUE(accepts({{"pattern", "^[\\u00C0-\\u1EF9a-z]+$"}}, "ễ"));
  EXPECT_FALSE(accepts({{"pattern", "^.{2}$"}}, "Đỗ Văn"));
  EXPECT_TRUE(accepts({{"maxLength", 2}}, "Đỗ"));
  // ECMA-262 semantics where RE2's differ: $ is the very end, . stops at line ends.
  EXPECT_FALSE(accepts({{"pattern", "^abc$"}}, "abc\n"));
  EXPECT_FALSE(accepts({{"pattern", "^a.c$"}}, "a\nc"));
  EXPECT_TRUE(accepts({{"pattern", "^\\s$"}}, "\u00a0"));
}

TEST(HostileSchemas, Draft7AnswersTheOldValidatorGotWrong) {
  EXPECT_TRUE(accepts({{"type", "integer"}}, json::parse("12.0")));
  EXPECT_FALSE(accepts({{"type", "integer"}}, json::parse("12.5")));
  const json nullable_date = {{"type", {"string", "null"}}, {"format", "date"}};
  EXPECT_TRUE(accepts(nullable_date, nullptr));
  EXPECT_TRUE(accepts(nullable_date, "2024-02-29"));
  EXPECT_FALSE(accepts(nullable_date, "2021-02-29"));
  EXPECT_FALSE(accepts(nullable_date, "2021-13-01"));
  // References by "$id", within one document.
  EXPECT_TRUE(accepts(json::parse(R"({
      "$id": "https://schemas.example.vn/person.json",
      "properties": {"address": {"$ref": "address.json"}},
      "definitions": {"address": {"$id": "address.json", "type": "object",
                                  "required": ["provinceCode"]}}})"),
                      json::parse(R"({"address": {"provinceCode": "01"}})")));
  EXPECT_FALSE(accepts(json::parse(R"({
      "$id": "https://schemas.example.vn/person.json",
      "properties": {"address": {"$ref": "address.json"}},
      "definitions": {"address": {"$id": "address.json", "type": "object",
                                  "required": ["provinceCode"]}}})"),
                       json::parse(R"({"address": {}})")));
}

TEST(HostileSchemas, ReferencesToOtherDocumentsAreRefusedClearlyWithoutAResolver) {
  const auto result = JsonSchema::compile({{"$ref", "https://evil.example/schema.json"}});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().detail.find("https://evil.example/schema.json"), std::string::npos)
      << result.error().detail;
}

TEST(HostileSchemas, OversizedSchemasAreRefused) {
  json deep = {{"type", "string"}};
  for (int i = 0; i < 200; ++i)
    deep = {{"properties", {{"a", std::move(deep)}}}};
  const auto too_deep = JsonSchema::compile(deep);
  ASSERT_FALSE(too_deep.has_value());
  EXPECT_NE(too_deep.error().detail.find("nests deeper"), std::string::npos);

  json wide = {{"properties", json::object()}};
  for (int i = 0; i < 20'000; ++i)
    wide["properties"]["p" + std::to_string(i)] = {{"type", "string"}};
  const auto too_wide = JsonSchema::compile(wide);
  ASSERT_FALSE(too_wide.has_value());
  EXPECT_NE(too_wide.error().detail.find("subschemas"), std::string::npos);

  // Unknown dialects are refused rather than read as draft 7.
  EXPECT_FALSE(JsonSchema::compile({{"$schema", "https://json-schema.org/draft/2020-12/schema"}})
                   .has_value());
}

TEST(HostileSchemas, UniqueItemsOnAHugeArrayIsNotQuadratic) {
  json items = json::array();
  for (int i = 0; i < 100'000; ++i)
    items.push_back(i);
  EXPECT_TRUE(accepts({{"uniqueItems", true}}, items));
  items.push_back(json::parse("5.0"));  // equal to 5
  EXPECT_FALSE(accepts({{"uniqueItems", true}}, items));
}

}  // namespace
}  // namespace lienthong::schema

namespace lienthong::schema {
namespace {

TEST(HostileSchemas, EdgeCasesOfIdentifiersAreErrorsOrWorkNeverCrashes) {
  // An empty "$id" is the document itself; an "$id" that is not a URI is refused.
  EXPECT_TRUE(
      JsonSchema::compile(nlohmann::json::parse(R"({"$id": "", "type": "string"})")).has_value());
  EXPECT_FALSE(
      JsonSchema::compile(nlohmann::json::parse(R"({"$id": "http://[bad", "type": "string"})"))
          .has_value());
  // A large but ordinary schema passes the meta-schema check within its budget.
  nlohmann::json wide = {{"type", "object"}, {"properties", nlohmann::json::object()}};
  for (int i = 0; i < 9'000; ++i) {
    wide["properties"]["field" + std::to_string(i)] = {
        {"type", "string"}, {"minLength", 1},     {"maxLength", 10},
        {"pattern", "^a"},  {"title", "a field"}, {"description", "one of many"}};
  }
  const auto compiled = JsonSchema::compile(wide);
  EXPECT_TRUE(compiled.has_value()) << compiled.error().detail;
}

}  // namespace
}  // namespace lienthong::schema

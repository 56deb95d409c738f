#include "lienthong/schema/json_schema.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lienthong::schema {
namespace {

using nlohmann::json;

TEST(JsonSchema, MalformedSchemasAreErrorsNotCrashes) {
  // Each of these made valijson abort() the process before it was built
  // with exceptions; a schema upload must never be able to stop the hub.
  for (const auto& document : {json{{"required", "name"}}, json{{"type", 5}},
                               json{{"properties", {{"a", 7}}}}, json{{"minimum", "one"}}}) {
    const auto compiled = JsonSchema::compile(document);
    EXPECT_FALSE(compiled.has_value()) << document.dump();
  }
}

TEST(JsonSchema, ValidatesAndReportsPointers) {
  const auto schema = JsonSchema::compile(
      {{"type", "object"},
       {"properties", {{"idNumber", {{"type", "string"}, {"pattern", "^[0-9]{12}$"}}}}}});
  ASSERT_TRUE(schema.has_value());
  EXPECT_TRUE(schema.value()->validate({{"idNumber", "001089012345"}}).empty());
  const auto violations = schema.value()->validate({{"idNumber", "12"}});
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].pointer, "/idNumber");
}

TEST(JsonSchema, PatternsThatAreNotRegularExpressionsAreRefusedWhenCompiled) {
  // A pattern is compiled when the schema is made, never in the middle of an
  // exchange; the error names the pattern.
  for (const auto& document :
       {json{{"pattern", "[0-9"}},
        json{{"properties", {{"id", {{"type", "string"}, {"pattern", "(unclosed"}}}}}},
        json{{"patternProperties", {{"^x-(", {{"type", "string"}}}}}},
        json{{"items", {{"pattern", "a{2,1}"}}}}}) {
    const auto compiled = JsonSchema::compile(document);
    ASSERT_FALSE(compiled.has_value()) << document.dump();
    EXPECT_NE(compiled.error().detail.find("cannot be used"), std::string::npos)
        << compiled.error().detail;
  }
  // A property that happens to be called "pattern" is a schema, not a pattern.
  EXPECT_TRUE(
      JsonSchema::compile({{"properties", {{"pattern", {{"type", "string"}}}}}}).has_value());
}

TEST(JsonSchema, ThreadsValidateTheSameSchemaConcurrently) {
  const auto schema = JsonSchema::compile(
      {{"type", "object"},
       {"properties", {{"idNumber", {{"type", "string"}, {"pattern", "^[0-9]{12}$"}}}}}});
  ASSERT_TRUE(schema.has_value());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const bool good = (i + t) % 2 == 0;
        const auto violations =
            schema.value()->validate({{"idNumber", good ? "001089012345" : "12"}});
        if (violations.empty() != good)
          ++wrong;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace lienthong::schema

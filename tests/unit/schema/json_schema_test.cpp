#include "lienthong/schema/json_schema.hpp"

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

}  // namespace
}  // namespace lienthong::schema

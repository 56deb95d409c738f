// The official JSON-Schema-Test-Suite (draft 7), read from
// ../shared/testdata/json-schema-test-suite next to the checkout (or
// $LT_JSON_SCHEMA_SUITE). Every required test must pass; the optional ones
// are reported per file, and the formats members rely on must pass too.
// Remote references ("http://localhost:1234/...") resolve to the suite's
// remotes/ folder through the resolver, as the hub's own never fetches.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lienthong/schema/json_schema.hpp"

namespace lienthong::schema {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path suite_root() {
  if (const char* configured = std::getenv("LT_JSON_SCHEMA_SUITE"))
    return configured;
  return fs::path(LIENTHONG_SOURCE_DIR) / ".." / "shared" / "testdata" / "json-schema-test-suite";
}

json read_json(const fs::path& file) {
  std::ifstream in(file);
  return json::parse(in);
}

CompileOptions suite_options() {
  CompileOptions options;
  options.resolver = [](std::string_view uri) -> std::optional<json> {
    constexpr std::string_view kRemote = "http://localhost:1234/";
    if (!uri.starts_with(kRemote))
      return std::nullopt;
    const auto file = suite_root() / "remotes" / std::string(uri.substr(kRemote.size()));
    if (!fs::is_regular_file(file))
      return std::nullopt;
    return read_json(file);
  };
  return options;
}

struct FileResult {
  int passed = 0;
  int total = 0;
  std::vector<std::string> failures;
};

FileResult run_file(const fs::path& file) {
  FileResult result;
  for (const auto& group : read_json(file)) {
    const auto compiled = JsonSchema::compile(group["schema"], suite_options());
    for (const auto& test : group["tests"]) {
      ++result.total;
      const bool expected = test["valid"].get<bool>();
      std::string outcome;
      if (!compiled.has_value()) {
        outcome = "schema refused: " + compiled.error().detail;
      } else {
        const bool valid = compiled.value()->validate(test["data"]).empty();
        if (valid == expected) {
          ++result.passed;
          continue;
        }
        outcome = valid ? "accepted, expected invalid" : "refused, expected valid";
      }
      result.failures.push_back(group["description"].get<std::string>() + " / " +
                                test["description"].get<std::string>() + ": " + outcome);
    }
  }
  return result;
}

std::vector<fs::path> json_files(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

#define SKIP_WITHOUT_SUITE()                                                                \
  if (!fs::is_directory(suite_root() / "draft7")) {                                         \
    GTEST_SKIP() << "JSON-Schema-Test-Suite not found at " << suite_root()                  \
                 << " (set LT_JSON_SCHEMA_SUITE); the draft-7 conformance test is skipped"; \
  }

TEST(JsonSchemaSuite, EveryRequiredDraft7TestPasses) {
  SKIP_WITHOUT_SUITE();
  int passed = 0, total = 0;
  for (const auto& file : json_files(suite_root() / "draft7")) {
    const auto result = run_file(file);
    passed += result.passed;
    total += result.total;
    std::cout << "  draft7/" << file.filename().string() << ": " << result.passed << "/"
              << result.total << "\n";
    for (const auto& failure : result.failures)
      ADD_FAILURE() << file.filename().string() << ": " << failure;
  }
  std::cout << "  required draft-7 tests: " << passed << "/" << total << " passed\n";
  EXPECT_GT(total, 900);
}

TEST(JsonSchemaSuite, OptionalTestsAreReportedAndTheFormatsMembersUseAreRight) {
  SKIP_WITHOUT_SUITE();
  // Formats whose every test must pass: the ones Vietnamese registries use.
  const std::vector<std::string> must_pass = {"date.json", "date-time.json", "time.json",
                                              "email.json", "ipv4.json"};
  for (const auto& folder : {std::string("optional"), std::string("optional/format")}) {
    for (const auto& file : json_files(suite_root() / "draft7" / folder)) {
      const auto result = run_file(file);
      std::cout << "  draft7/" << folder << "/" << file.filename().string() << ": " << result.passed
                << "/" << result.total << "\n";
      if (folder == "optional/format" && std::find(must_pass.begin(), must_pass.end(),
                                                   file.filename().string()) != must_pass.end()) {
        for (const auto& failure : result.failures)
          ADD_FAILURE() << file.filename().string() << ": " << failure;
      }
    }
  }
}

}  // namespace
}  // namespace lienthong::schema

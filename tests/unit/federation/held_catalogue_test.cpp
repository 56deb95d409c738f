// A peer's catalogue as this hub holds it: entries are the peer's words,
// read defensively (a signed catalogue can still say odd things).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lienthong/federation/held_catalogues.hpp"

namespace lienthong::federation {
namespace {

constexpr const char* kProvider = "VN/GOV/000.00.00.G03/DANCU";

HeldCatalogue catalogue(const nlohmann::json& services) {
  HeldCatalogue held;
  held.instance = "VN";
  held.version = 7;
  held.services = services;
  return held;
}

TEST(HeldCatalogueTest, AVersionIsFoundAsListedOrAsTheOnlyOne) {
  const auto one = catalogue(nlohmann::json::parse(
      R"([{"id": "VN/GOV/000.00.00.G03/DANCU/citizen-lookup", "version": "v1"}])"));
  EXPECT_NE(one.find(kProvider, "citizen-lookup", "v1"), nullptr);
  EXPECT_NE(one.find(kProvider, "citizen-lookup", ""), nullptr) << "the only version";
  EXPECT_EQ(one.find(kProvider, "citizen-lookup", "v2"), nullptr);
  EXPECT_EQ(one.find(kProvider, "other", "v1"), nullptr);

  const auto two = catalogue(nlohmann::json::parse(
      R"([{"id": "VN/GOV/000.00.00.G03/DANCU/citizen-lookup", "version": "v1"},
          {"id": "VN/GOV/000.00.00.G03/DANCU/citizen-lookup", "version": "v2"},
          {"id": "VN/GOV/000.00.00.G03/DANCU/citizen-lookup", "version": 3}, "not an entry"])"));
  EXPECT_EQ(two.find(kProvider, "citizen-lookup", ""), nullptr) << "two versions: name one";
  EXPECT_NE(two.find(kProvider, "citizen-lookup", "v2"), nullptr);
}

TEST(HeldCatalogueTest, OnlyTrueSaysAServiceTakesQueuedDelivery) {
  const auto held = catalogue(nlohmann::json::parse(
      R"([{"id": "VN/GOV/000.00.00.G03/DANCU/a", "version": "v1", "async": true},
          {"id": "VN/GOV/000.00.00.G03/DANCU/b", "version": "v1", "async": false},
          {"id": "VN/GOV/000.00.00.G03/DANCU/c", "version": "v1", "async": "yes"},
          {"id": "VN/GOV/000.00.00.G03/DANCU/d", "version": "v1", "async": 1},
          {"id": "VN/GOV/000.00.00.G03/DANCU/e", "version": "v1"}])"));
  EXPECT_TRUE(held.takes_async(kProvider, "a", "v1"));
  for (const char* service : {"b", "c", "d", "e", "missing"})
    EXPECT_FALSE(held.takes_async(kProvider, service, "v1")) << service;
}

}  // namespace
}  // namespace lienthong::federation

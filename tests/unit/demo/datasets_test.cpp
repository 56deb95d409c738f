// The demo's synthetic national datasets: the same seed gives the same
// records on every machine, every key leads back to its own record and to
// nothing else, and every record is valid under its standard JSON Schema in
// schemas/json/ (the schemas the demo registry publishes).
#include "lienthong/demo/datasets.hpp"

#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lienthong/demo/clinic_network.hpp"
#include "lienthong/schema/json_schema.hpp"

namespace lienthong::demo {
namespace {

using nlohmann::json;

std::shared_ptr<const schema::JsonSchema> standard_schema(const std::string& name) {
  std::ifstream file(std::string(LIENTHONG_SOURCE_DIR) + "/schemas/json/" + name + ".schema.json");
  auto compiled = schema::JsonSchema::compile(json::parse(file));
  EXPECT_TRUE(compiled.has_value()) << name;
  return compiled.value();
}

std::string violations(const schema::JsonSchema& schema, const json& record) {
  std::string text;
  for (const auto& v : schema.validate(record))
    text += v.pointer + ": " + v.reason + "; ";
  return text;
}

TEST(Datasets, TheSameSeedGivesTheSameRecordsEverywhere) {
  // Pinned: a change here changes every demo, README example and test that names a key.
  const Citizens citizens;
  EXPECT_EQ(citizens.id_number(0), "031201071423");
  EXPECT_EQ(citizens.record(0)["fullName"], "Hoàng Đức Phong");
  const Enterprises enterprises;
  EXPECT_EQ(enterprises.tax_code(1), "1858423872");
  EXPECT_EQ(enterprises.registry_record(1)["tenDoanhNghiep"], "Công ty TNHH Vận tải Việt Tiến");
  // Another seed, another population.
  EXPECT_NE(Citizens({.seed = 7}).id_number(0), citizens.id_number(0));
}

TEST(Datasets, EveryCitizenIdNumberLeadsBackToItsRecordAndOnlyThere) {
  const Citizens citizens;
  std::set<std::string> seen;
  // Every 37th of the million, and the first and last thousand.
  for (std::uint32_t i = 0; i < citizens.size(); i += (i < 1000 || i > 999'000) ? 1 : 37) {
    const std::string id = citizens.id_number(i);
    ASSERT_EQ(citizens.find(id), i) << id;
    ASSERT_TRUE(seen.insert(id).second) << "two citizens share " << id;
    ASSERT_EQ(citizens.record(i)["idNumber"], id);
  }
  const std::string id = citizens.id_number(42);
  std::string other_province = id;
  other_province[2] = id[2] == '1' ? '2' : '1';
  EXPECT_FALSE(citizens.find(other_province)) << "same serial, different prefix";
  EXPECT_FALSE(citizens.find("12345"));
  EXPECT_FALSE(citizens.find("00117310716X"));
  // A smaller dataset holds only its first records.
  const Citizens few({.size = 100});
  EXPECT_TRUE(few.find(few.id_number(99)));
  EXPECT_FALSE(few.find(citizens.id_number(100'000)));
}

TEST(Datasets, EveryTaxCodeCarriesItsCheckDigitAndLeadsBackToItsEnterprise) {
  const Enterprises enterprises;
  for (std::uint32_t i = 0; i < enterprises.size(); i += 101) {
    const std::string code = enterprises.tax_code(i);
    ASSERT_TRUE(valid_tax_code(code)) << code;
    ASSERT_EQ(enterprises.find(code), i) << code;
  }
  std::string code = enterprises.tax_code(5);
  code[9] = code[9] == '9' ? '0' : static_cast<char>(code[9] + 1);
  EXPECT_FALSE(valid_tax_code(code));
  EXPECT_FALSE(enterprises.find(code));
  // The business registry and the tax system know the same enterprise.
  EXPECT_EQ(enterprises.registry_record(77)["tenDoanhNghiep"],
            enterprises.tax_record(77)["taxpayerName"]);
}

TEST(Datasets, RecordsAreValidUnderTheStandardSchemas) {
  const auto citizen = standard_schema("citizen");
  const auto taxpayer = standard_schema("taxpayer");
  const auto claim = standard_schema("health-insurance-claim");
  const Citizens citizens;
  const Enterprises enterprises;
  for (std::uint32_t i = 0; i < 2'000; ++i) {
    const auto person = citizens.record(i * 499);
    ASSERT_EQ(violations(*citizen, person), "") << person.dump();
    const auto tax = enterprises.tax_record(i * 499);
    ASSERT_EQ(violations(*taxpayer, tax), "") << tax.dump();
    const auto one = health_insurance_claim(citizens, clinic_facility_code(i), i);
    ASSERT_EQ(violations(*claim, one), "") << one.dump();
  }
}

TEST(Datasets, ClaimsAddUpAndNameRealPatients) {
  const Citizens citizens;
  for (std::uint64_t i = 0; i < 500; ++i) {
    const auto claim = health_insurance_claim(citizens, "48001", i);
    std::int64_t total = 0;
    for (const auto& item : claim["items"])
      total += item["quantity"].get<std::int64_t>() * item["unitPriceVnd"].get<std::int64_t>();
    ASSERT_EQ(claim["totalCostVnd"], total);
    ASSERT_LE(claim["insurancePaysVnd"].get<std::int64_t>(), total);
    const auto patient = citizens.find(claim["patient"]["idNumber"].get<std::string>());
    ASSERT_TRUE(patient);
    ASSERT_EQ(citizens.record(*patient)["fullName"], claim["patient"]["fullName"]);
    ASSERT_EQ(claim["claimNumber"].get<std::string>().substr(0, 6), "48001-");
  }
}

TEST(Datasets, ClinicCodesAreDistinctForTheWholeNetwork) {
  std::set<std::string> codes;
  for (std::uint32_t i = 0; i < 12'000; ++i)
    ASSERT_TRUE(codes.insert(clinic_facility_code(i)).second) << i;
  EXPECT_EQ(clinic_system_id(0), "VN/ORG/KCB-01001/HIS");
}

}  // namespace
}  // namespace lienthong::demo

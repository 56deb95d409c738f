// The national demo end to end, on the registry file ./scripts/run.sh loads:
// every demo service through the hub, each consumer seeing only the fields
// its agreement grants, a record the caller gets equal to the ministry's own
// (from the seeded datasets), the claims service asynchronous and idempotent,
// and the connectivity index over the ministries and provinces that talked.
#include <thread>

#include <gtest/gtest.h>

#include "national_demo_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items())
    keys.insert(key);
  return keys;
}

class NationalDemo : public NationalDemoFixture {
 protected:
  // The asynchronous message `id` as its sender reads it, once delivered (or after 5 s).
  json delivered(TestClient& sender, const std::string& id) {
    json state = json::object();
    for (int i = 0; i < 100 && state.value("state", "") != "delivered"; ++i) {
      std::this_thread::sleep_for(50ms);
      state = json::parse(sender.request("GET", "/exchange/v1/messages/" + id, "").body);
    }
    return state;
  }
};

TEST_F(NationalDemo, HanoiGetsTheAgreedFieldsOfTheRegisteredCitizen) {
  const std::string id = citizens_.id_number(123'456);
  auto answer = exchange("MOTCUA-HN", kHanoi, kPopulation, "citizen-lookup", {{"idNumber", id}});
  ASSERT_EQ(answer.status, 200) << answer.raw;
  json expected = citizens_.record(123'456);
  for (const char* withheld : {"ethnicity", "nationality", "placeOfOrigin"})
    expected.erase(withheld);  // the agreement's response_fields leave these out
  EXPECT_EQ(answer.body["body"], expected);

  auto unknown =
      exchange("MOTCUA-HN", kHanoi, kPopulation, "citizen-lookup", {{"idNumber", "001000000000"}});
  EXPECT_EQ(unknown.status, 404) << unknown.raw;  // the registry's own answer, passed on
  auto malformed =
      exchange("MOTCUA-HN", kHanoi, kPopulation, "citizen-lookup", {{"idNumber", "00117310716"}});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.body["code"], "Client.SchemaViolation");
}

TEST_F(NationalDemo, HoChiMinhCityGetsTheBusinessRegistrysRecordInTheStandardShape) {
  const std::uint32_t index = 654'321;
  const json native = enterprises_.registry_record(index);
  auto answer = exchange("MOTCUA-HCM", kHoChiMinhCity, kBusiness, "enterprise-lookup",
                         {{"taxCode", enterprises_.tax_code(index)}});
  ASSERT_EQ(answer.status, 200) << answer.raw;
  json body = answer.body["body"];
  EXPECT_EQ(body["taxCode"], native["maSoThue"]);
  EXPECT_EQ(body["name"], native["tenDoanhNghiep"]);
  const std::string dmy = native["ngayDangKyLanDau"];  // dd/MM/yyyy -> yyyy-MM-dd
  EXPECT_EQ(body["registeredOn"],
            dmy.substr(6, 4) + "-" + dmy.substr(3, 2) + "-" + dmy.substr(0, 2));
  EXPECT_EQ(body["provinceCode"], native["diaChiTruSo"]["maTinh"]);
  EXPECT_TRUE(body["status"] == "active" || body["status"] == "suspended");
  // Its agreement covers the business registry only.
  auto refused = exchange("MOTCUA-HCM", kHoChiMinhCity, kPopulation, "citizen-lookup",
                          {{"idNumber", citizens_.id_number(1)}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body["code"], "Client.NoAgreement");
}

TEST_F(NationalDemo, DaNangSeesATaxpayersStandingButNotTheDebt) {
  auto answer = exchange("MOTCUA-DN", kDaNang, kTax, "taxpayer-status",
                         {{"taxCode", enterprises_.tax_code(42)}});
  ASSERT_EQ(answer.status, 200) << answer.raw;
  json expected = enterprises_.tax_record(42);
  for (const char* withheld : {"outstandingDebtVnd", "taxOffice", "registeredOn"})
    expected.erase(withheld);
  EXPECT_EQ(answer.body["body"], expected);
  EXPECT_EQ(keys_of(answer.body["body"]),
            (std::set<std::string>{"taxCode", "taxpayerName", "status", "lastFiledPeriod"}));
}

TEST_F(NationalDemo, HanoiReadsTheLegacySoapLandRegistry) {
  auto answer = exchange("MOTCUA-HN", kHanoi, kLand, "parcel-lookup",
                         {{"communeCode", "00004"}, {"mapSheet", 12}, {"parcelNumber", 345}});
  ASSERT_EQ(answer.status, 200) << answer.raw;
  json parcel = answer.body["body"];
  EXPECT_EQ(parcel["parcelNumber"], 345);
  ASSERT_FALSE(parcel["landUsers"].empty());
  for (auto& user : parcel["landUsers"]) {
    // Land users are people of the population registry, names and all.
    const auto index = citizens_.find(user["idNumber"].get<std::string>());
    ASSERT_TRUE(index) << user.dump();
    EXPECT_EQ(user["fullName"], citizens_.record(*index)["fullName"]);
  }
  auto missing = exchange("MOTCUA-HN", kHanoi, kLand, "parcel-lookup",
                          {{"communeCode", "00004"}, {"mapSheet", 12}, {"parcelNumber", 340}});
  EXPECT_EQ(missing.status, 502);
  EXPECT_EQ(missing.body["code"], "Provider.Fault");
  EXPECT_NE(missing.body["detail"].get<std::string>().find("Không tìm thấy thửa đất số 340"),
            std::string::npos);
}

TEST_F(NationalDemo, AHospitalsClaimIsQueuedDeliveredAndTakesEffectOnce) {
  json claim = demo::health_insurance_claim(citizens_, "48001", 7);
  auto queued = exchange("BVDN-HIS", kHospital, kClaims, "health-insurance-claim", claim,
                         "Đề nghị thanh toán chi phí KCB BHYT");
  ASSERT_EQ(queued.status, 202) << queued.raw;
  const std::string id = queued.body["messageId"];
  TestClient hospital(hub_->exchange_port(), "BVDN-HIS");
  json state = delivered(hospital, id);
  ASSERT_EQ(state["state"], "delivered") << state.dump();
  EXPECT_EQ(state["response"]["status"], 201);
  json receipt = state["response"]["body"];
  EXPECT_EQ(receipt["claimNumber"], claim["claimNumber"]);

  // The same claim sent again as a new message: the claims system answers
  // with the receipt it already issued, and counts the claim once.
  auto again = exchange("BVDN-HIS", kHospital, kClaims, "health-insurance-claim", claim);
  ASSERT_EQ(again.status, 202);
  json second = delivered(hospital, again.body["messageId"]);
  ASSERT_EQ(second["state"], "delivered") << second.dump();
  EXPECT_EQ(second["response"]["status"], 200);
  EXPECT_EQ(second["response"]["body"]["receiptNumber"], receipt["receiptNumber"]);

  // A claim that breaks the standard schema never reaches the queue.
  claim["patient"]["insuranceCardNumber"] = "DN47";
  auto bad = exchange("BVDN-HIS", kHospital, kClaims, "health-insurance-claim", claim);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["code"], "Client.SchemaViolation");
}

TEST_F(NationalDemo, SocialInsuranceVerifiesThePatientWithFourFields) {
  auto answer = exchange("GIAMDINH", kClaims, kPopulation, "citizen-lookup",
                         {{"idNumber", citizens_.id_number(999'999)}});
  ASSERT_EQ(answer.status, 200) << answer.raw;
  EXPECT_EQ(keys_of(answer.body["body"]),
            (std::set<std::string>{"idNumber", "fullName", "dateOfBirth", "sex"}));
}

TEST_F(NationalDemo, ConnectivityIndexCountsMinistryAndProvincePairsThatExchanged) {
  auto auditor_client = auditor();
  auto before = AdminClient::json_of(auditor_client.get("/audit/v1/connectivity"));
  // Eight demo ministries and provinces plus the test registry's three.
  ASSERT_EQ(before["member_pairs"]["members"], 11) << before["member_pairs"].dump();
  EXPECT_EQ(before["member_pairs"]["possible"], 55);
  EXPECT_EQ(before["member_pairs"]["exchanged"], 0);

  const json citizen = {{"idNumber", citizens_.id_number(5)}};
  ASSERT_EQ(exchange("MOTCUA-HN", kHanoi, kPopulation, "citizen-lookup", citizen).status, 200);
  ASSERT_EQ(exchange("GIAMDINH", kClaims, kPopulation, "citizen-lookup", citizen).status, 200);
  ASSERT_EQ(exchange("MOTCUA-DN", kDaNang, kBusiness, "enterprise-lookup",
                     {{"taxCode", enterprises_.tax_code(5)}})
                .status,
            200);
  // Refused: does not connect Hồ Chí Minh City with the population registry.
  ASSERT_EQ(exchange("MOTCUA-HCM", kHoChiMinhCity, kPopulation, "citizen-lookup", citizen).status,
            403);
  // A hospital is not a state body: its claim counts for systems, not pairs.
  ASSERT_EQ(exchange("BVDN-HIS", kHospital, kClaims, "health-insurance-claim",
                     demo::health_insurance_claim(citizens_, "48001", 1))
                .status,
            202);

  auto after = AdminClient::json_of(auditor_client.get("/audit/v1/connectivity?days=30"));
  EXPECT_EQ(after["member_pairs"]["exchanged"], 3) << after["member_pairs"].dump();
  EXPECT_DOUBLE_EQ(after["member_pairs"]["share"].get<double>(), 3.0 / 55);
  // MOTCUA-HN, MOTCUA-DN, GIAMDINH, DANCU, DKKD and the hospital's system.
  EXPECT_EQ(after["systems_exchanged"], 6);
  EXPECT_EQ(after["systems_registered"], before["systems_registered"]);
}

}  // namespace
}  // namespace lienthong::testing

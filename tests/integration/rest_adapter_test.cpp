// The REST adapter with a field mapping, end to end over TLS: the consumer
// speaks the standard shape, the provider (our loopback echo system, whose
// answer wraps what it received) gets its own field names, dates and codes,
// and the consumer sees only the standard shape back. Mappings are set
// through the admin API, which refuses broken ones.
#include <nlohmann/json.hpp>

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

const json kMapping = json::parse(R"({
  "request": [
    {"from": "/citizenId", "to": "/so_cccd", "required": true},
    {"from": "/birthDate", "to": "/ngay_sinh", "convert": "date-iso-to-dmy"},
    {"from": "/province", "to": "/ma_tinh", "convert": "lookup", "table": "province-code"},
    {"value": "TRA_CUU", "to": "/loai"}
  ],
  "response": [
    {"from": "/received/so_cccd", "to": "/citizenId", "required": true},
    {"from": "/received/ngay_sinh", "to": "/birthDate", "convert": "date-dmy-to-iso"},
    {"from": "/received/ma_tinh", "to": "/province", "convert": "lookup", "table": "province-name"}
  ],
  "lookups": {"province-code": {"HN": "01", "HCM": "79"},
              "province-name": {"01": "HN", "79": "HCM"}}
})");

class RestAdapter : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    echo_path_ = "/admin/v1/services/" +
                 std::to_string(id_of("services", "service_code = 'echo' AND version = 'v1'"));
  }

  ClientResponse set_mapping(const json& mapping) {
    auto admin = hub_admin();
    const auto current = AdminClient::json_of(admin.get(echo_path_));
    return admin.patch(echo_path_, {{"adapter_config", {{"mapping", mapping}}}},
                       "\"" + std::to_string(current["revision"].get<int>()) + "\"");
  }

  ClientResponse send(const std::string& id, const json& body) {
    auto consumer = client();
    return consumer.post("/exchange/v1/messages",
                         envelope(id, kConsumer, kProvider, "echo", body.dump()));
  }

  std::string echo_path_;
};

TEST_F(RestAdapter, TheConsumerSpeaksTheStandardAndTheProviderItsOwnShape) {
  const auto mapped = set_mapping(kMapping);
  ASSERT_EQ(mapped.status, 200) << mapped.body;

  const auto response = send("map-1", {{"citizenId", "001099012345"},
                                       {"birthDate", "1999-03-05"},
                                       {"province", "HCM"},
                                       {"notForTheProvider", "dropped"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body)["body"],
            json::parse(R"({"citizenId": "001099012345", "birthDate": "1999-03-05",
                            "province": "HCM"})"));
  ASSERT_FALSE(provider_->received().empty());
  EXPECT_EQ(json::parse(provider_->received().back().body),
            json::parse(R"({"so_cccd": "001099012345", "ngay_sinh": "05/03/1999",
                            "ma_tinh": "79", "loai": "TRA_CUU"})"))
      << "the provider gets its own field names, date format and province codes, nothing else";
}

TEST_F(RestAdapter, AStandardRequestThatCannotBeMappedNeverReachesTheProvider) {
  ASSERT_EQ(set_mapping(kMapping).status, 200);
  const int calls = provider_->calls();
  const auto response =
      send("map-bad", {{"citizenId", "001099012345"}, {"birthDate", "05/03/1999"}});
  EXPECT_EQ(response.status, 400) << response.body;
  const auto problem = json::parse(response.body);
  EXPECT_EQ(problem["code"], "Client.MappingFailed");
  EXPECT_NE(problem["detail"].get<std::string>().find("/birthDate: not a date yyyy-MM-dd"),
            std::string::npos)
      << problem.dump();
  EXPECT_EQ(provider_->calls(), calls);
  EXPECT_EQ(audit_summary("map-bad"),
            std::string("400|Client.MappingFailed|") + kConsumer + "|" + kProvider + "|echo");
}

TEST_F(RestAdapter, AProviderAnswerThatCannotBeMappedIsNotPassedOn) {
  json mapping = kMapping;
  mapping["response"].push_back(
      {{"from", "/received/not_there"}, {"to", "/x"}, {"required", true}});
  ASSERT_EQ(set_mapping(mapping).status, 200);
  const auto response = send("map-answer", {{"citizenId", "001099012345"}});
  EXPECT_EQ(response.status, 502) << response.body;
  EXPECT_EQ(json::parse(response.body)["code"], "Provider.MappingFailed");
  EXPECT_EQ(response.body.find("001099012345"), std::string::npos)
      << "nothing of the unmapped answer reaches the consumer";
  EXPECT_EQ(audit_summary("map-answer"),
            std::string("502|Provider.MappingFailed|") + kConsumer + "|" + kProvider + "|echo");
}

TEST_F(RestAdapter, TheAdminApiRefusesAMappingThatDoesNotCompile) {
  json broken = kMapping;
  broken["request"][1]["convert"] = "date-from-anything";
  const auto refused = set_mapping(broken);
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("mapping/request/1/convert"), std::string::npos) << refused.body;
  // Nothing changed: the service still passes bodies through unmapped.
  const auto response = send("unmapped", {{"citizenId", "001099012345"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body)["body"]["received"]["citizenId"], "001099012345");
}

}  // namespace
}  // namespace lienthong::testing

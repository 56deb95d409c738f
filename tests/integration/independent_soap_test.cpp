// Issue 30: the SOAP adapter against an independent SOAP stack, not our own
// idea of one: a spyne service (tests/soap/spyne_provider.py) over SOAP 1.1
// and 1.2, document/literal wrapped, with a wrapped list whose items carry an
// attribute. zeep, a third stack, reads the same service from its WSDL
// (tests/soap/zeep_client.py); the consumer must get through the hub what
// zeep reads directly.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "lienthong/adapters/wsdl_import.hpp"

#include "admin_fixture.hpp"
#include "python_process.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

json binding(const std::string& version) {
  return json::parse(R"({
    "soap": {"version": ")" +
                     version + R"(", "namespace": "urn:lienthong:test:hotich",
             "operation": "TraCuuCongDan", "action": "TraCuuCongDan",
             "elements": "qualified", "order": ["soDinhDanh"],
             "arrays": ["/TraCuuCongDanResult/giayTo/GiayTo"]},
    "mapping": {
      "request": [{"from": "/idNumber", "to": "/soDinhDanh", "required": true}],
      "response": [
        {"from": "/TraCuuCongDanResult/hoTen", "to": "/hoTen"},
        {"from": "/TraCuuCongDanResult/ngaySinh", "to": "/ngaySinh"},
        {"from": "/TraCuuCongDanResult/giayTo/GiayTo", "to": "/giayTo",
         "each": [{"from": "/@loai", "to": "/loai"}, {"from": "/so", "to": "/so"}]}
      ]
    }
  })");
}

class IndependentSoapStack : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    spyne_ = std::make_unique<PythonProcess>("soap/spyne_provider.py");
    const std::string url = "http://127.0.0.1:" + std::to_string(spyne_->port());
    register_provider("TEST-HOTICH11", url, "citizen", "/soap11",
                      {{"adapter_kind", "soap"}, {"adapter_config", binding("1.1")}});
    register_provider("TEST-HOTICH12", url, "citizen", "/soap12",
                      {{"adapter_kind", "soap"}, {"adapter_config", binding("1.2")}});
  }

  void TearDown() override {
    AdminFixture::TearDown();
    spyne_.reset();
  }

  ClientResponse ask(const std::string& system, const std::string& id, const std::string& citizen) {
    return client().post("/exchange/v1/messages",
                         envelope(id, kConsumer, std::string(kProviderMember) + "/" + system,
                                  "citizen", json{{"idNumber", citizen}}.dump()));
  }

  json zeep_reads(const std::string& path, const std::string& citizen) const {
    return json::parse(
        run_python("soap/zeep_client.py",
                   {"http://127.0.0.1:" + std::to_string(spyne_->port()) + path, citizen}));
  }

  std::unique_ptr<PythonProcess> spyne_;
};

TEST_F(IndependentSoapStack, TheConsumerGetsWhatZeepReadsOverSoap11And12) {
  for (const auto& [system, path] :
       {std::pair{"TEST-HOTICH11", "/soap11"}, std::pair{"TEST-HOTICH12", "/soap12"}}) {
    // One document; then none, where spyne writes an empty <giayTo/>.
    for (const std::string citizen : {"001089012345", "001089012349"}) {
      const std::string id = std::string(system) + "-" + citizen;
      const auto response = ask(system, id, citizen);
      ASSERT_EQ(response.status, 200) << id << ": " << response.body;
      const auto expected = zeep_reads(path, citizen);
      EXPECT_EQ(json::parse(response.body)["body"], expected) << id;
      EXPECT_EQ(expected["hoTen"], "Nguy\u1EC5n Th\u1ECB Hoa") << "zeep's own reading";
      EXPECT_EQ(expected["giayTo"].size(), citizen.ends_with('9') ? 0u : 1u);
    }
  }
}

// Issue 30 (9): the binding written by hand above is what
// `lienthong soap import-wsdl` proposes from spyne's own WSDL.
TEST_F(IndependentSoapStack, ItsWsdlProposesTheBindingWrittenByHand) {
  const auto wsdl = std::filesystem::temp_directory_path() /
                    ("lt-spyne-" + std::to_string(spyne_->port()) + ".wsdl");
  std::ofstream(wsdl) << run_python(
      "soap/zeep_client.py",
      {"--wsdl", "http://127.0.0.1:" + std::to_string(spyne_->port()) + "/soap11"});
  const auto proposals = adapters::soap::import_wsdl(wsdl);
  std::filesystem::remove(wsdl);
  ASSERT_TRUE(proposals.has_value()) << proposals.error().detail;
  ASSERT_EQ(proposals.value().size(), 1u) << proposals.value().dump();
  EXPECT_EQ(proposals.value()[0]["adapter_config"]["soap"], binding("1.1")["soap"]);
  EXPECT_EQ(proposals.value()[0]["notes"], json::array());
}

// Issue 30 (8): a provider that wants HTTP Basic, a WS-Security
// UsernameToken (PasswordDigest, with a Timestamp) and its own AuthHeader,
// each checked on spyne's side in Python, not by our code.
TEST_F(IndependentSoapStack, ASecuredServiceAnswersWithTheRegisteredCredentialsOnly) {
  register_provider("TEST-SECURED", "http://127.0.0.1:" + std::to_string(spyne_->port()), "citizen",
                    "/secured11", {{"adapter_kind", "soap"}, {"adapter_config", binding("1.1")}});
  const auto bare = ask("TEST-SECURED", "secured-bare", "001089012345");
  ASSERT_EQ(bare.status, 502) << bare.body;
  EXPECT_NE(bare.body.find("HTTP 401"), std::string::npos) << bare.body;

  const std::string path = "/admin/v1/systems/" +
                           std::to_string(id_of("systems", "system_code = 'TEST-SECURED'")) +
                           "/provider-auth";
  json credentials = {
      {"http_basic", {{"username", "hub"}, {"password", "p@ss:w0rd"}}},
      {"ws_security",
       {{"username", "lienthong"},
        {"password", "m\u1EADt-kh\u1EA9u-1"},
        {"password_type", "digest"},
        {"timestamp", true}}},
      {"soap_headers", "<AuthHeader xmlns=\"urn:legacy:auth\"><Key>k-1</Key></AuthHeader>"}};
  auto registered = hub_admin().put(path, credentials);
  ASSERT_EQ(registered.status, 201) << registered.body;
  const auto expected = zeep_reads("/soap11", "001089012345");
  for (const std::string id : {"secured-1", "secured-2"}) {  // a fresh nonce each time
    const auto response = ask("TEST-SECURED", id, "001089012345");
    ASSERT_EQ(response.status, 200) << id << ": " << response.body;
    EXPECT_EQ(json::parse(response.body)["body"], expected) << id;
  }

  credentials["ws_security"]["password"] = "wrong";
  registered = hub_admin().put(path, credentials, registered.header("etag"));
  ASSERT_EQ(registered.status, 200) << registered.body;
  const auto refused = ask("TEST-SECURED", "secured-wrong", "001089012345");
  ASSERT_EQ(refused.status, 502) << refused.body;
  const auto problem = json::parse(refused.body);
  EXPECT_EQ(problem["code"], "Provider.Fault");
  EXPECT_NE(problem["detail"].get<std::string>().find("wrong username or password digest"),
            std::string::npos)
      << problem.dump();
}

TEST_F(IndependentSoapStack, ItsFaultsReachTheConsumerWithTheirVietnameseReason) {
  for (const char* system : {"TEST-HOTICH11", "TEST-HOTICH12"}) {
    const std::string id = std::string("fault-") + system;
    const auto response = ask(system, id, "000000000000");
    ASSERT_EQ(response.status, 502) << response.body;
    const auto problem = json::parse(response.body);
    EXPECT_EQ(problem["code"], "Provider.Fault");
    EXPECT_NE(problem["detail"].get<std::string>().find(
                  "Kh\u00F4ng t\u00ECm th\u1EA5y c\u00F4ng d\u00E2n 000000000000"),
              std::string::npos)
        << problem.dump();
    EXPECT_EQ(audit_summary(id), std::string("502|Provider.Fault|") + kConsumer + "|" +
                                     kProviderMember + "/" + system + "|citizen");
  }
}

}  // namespace
}  // namespace lienthong::testing

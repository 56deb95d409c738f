// The admin endpoints the web console is built on: who a token belongs to,
// the service catalogue, the connectivity graph with its headline figure,
// and the console's own files.

#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "admin_client.hpp"
#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class ConsoleApiTest : public HubFixture {
 protected:
  void configure(Config& config) override { config.admin.console_dir = LIENTHONG_CONSOLE_DIR; }
  AdminClient admin(const std::string& role,
                    const std::optional<std::string>& member = std::nullopt) {
    return AdminClient(hub_->admin_port(), issue_token(database_->url(), role, member));
  }
};

TEST_F(ConsoleApiTest, SessionNamesTheTokensRoleAndMember) {
  auto member_admin = admin("member-admin", "VN/PROV/TEST.03");
  const auto session = AdminClient::json_of(member_admin.get("/admin/v1/session"));
  EXPECT_EQ(session["role"], "member-admin");
  EXPECT_TRUE(session["member_id"].is_number_integer());
  const auto auditor = AdminClient::json_of(admin("auditor").get("/admin/v1/session"));
  EXPECT_EQ(auditor["role"], "auditor");
  EXPECT_TRUE(auditor["member_id"].is_null());
  AdminClient nobody(hub_->admin_port(), "lta_not-a-token");
  EXPECT_EQ(nobody.get("/admin/v1/session").status, 401);
}

TEST_F(ConsoleApiTest, CatalogShowsEveryActiveServiceButNotHowToReachIt) {
  // A member admin sees only its own systems, yet must find what to ask for.
  auto member_admin = admin("member-admin", "VN/PROV/TEST.03");
  const auto catalog = member_admin.get("/admin/v1/catalog");
  ASSERT_EQ(catalog.status, 200) << catalog.body;
  const auto items = AdminClient::json_of(catalog)["items"];
  ASSERT_EQ(items.size(), 6u);  // echo, slow, broken, garbage, missing, dead
  bool echo = false;
  for (const auto& item : items) {
    EXPECT_FALSE(item.contains("base_url"));
    EXPECT_FALSE(item.contains("provider_path"));
    echo = echo || (item["provider"] == kProvider && item["service_code"] == "echo");
  }
  EXPECT_TRUE(echo);
}

TEST_F(ConsoleApiTest, ConnectivityCountsSystemsThatExchangedSuccessfully) {
  auto auditor = admin("auditor");
  auto before = AdminClient::json_of(auditor.get("/audit/v1/connectivity"));
  EXPECT_EQ(before["days"], 30);
  EXPECT_EQ(before["systems_registered"], 4);
  EXPECT_EQ(before["systems_exchanged"], 0);
  EXPECT_EQ(before["share"], 0.0);
  // Two ministries and a province, each with an active system: three pairs.
  EXPECT_EQ(before["member_pairs"],
            json::parse(R"({"members": 3, "possible": 3, "exchanged": 0, "share": 0.0})"));

  auto consumer = client();
  ASSERT_EQ(
      consumer.post("/exchange/v1/messages", envelope("c-1", kConsumer, kProvider, "echo")).status,
      200);
  // A refused exchange does not make its parties "connected".
  auto other = client("TEST-OTHER");
  ASSERT_EQ(other.post("/exchange/v1/messages", envelope("c-2", kOther, kProvider, "echo")).status,
            403);

  const auto after = AdminClient::json_of(auditor.get("/audit/v1/connectivity?days=7"));
  EXPECT_EQ(after["systems_exchanged"], 2);
  EXPECT_DOUBLE_EQ(after["share"].get<double>(), 0.5);
  EXPECT_EQ(after["member_pairs"]["exchanged"], 1);
  EXPECT_DOUBLE_EQ(after["member_pairs"]["share"].get<double>(), 1.0 / 3);
  std::map<std::string, bool> exchanged;
  for (const auto& system : after["systems"])
    exchanged[system["identifier"]] = system["exchanged"];
  EXPECT_TRUE(exchanged[kConsumer]);
  EXPECT_TRUE(exchanged[kProvider]);
  EXPECT_FALSE(exchanged[kOther]);
  ASSERT_EQ(after["traffic"].size(), 2u);
  EXPECT_FALSE(after["agreements"].empty());
  EXPECT_EQ(after["members"].size(), 3u);

  EXPECT_EQ(auditor.get("/audit/v1/connectivity?days=0").status, 400);
  EXPECT_EQ(auditor.get("/audit/v1/connectivity?since=1").status, 400);
  EXPECT_EQ(admin("member-admin", "VN/PROV/TEST.03").get("/audit/v1/connectivity").status, 403);
}

TEST_F(ConsoleApiTest, ConnectivityForAMemberAuditorShowsOnlyItsMembersPart) {
  auto consumer = client();
  ASSERT_EQ(
      consumer.post("/exchange/v1/messages", envelope("s-1", kConsumer, kProvider, "echo")).status,
      200);
  // TEST.02's only system is the dead provider; its one agreement is with TEST-CONSUMER.
  const auto scoped =
      AdminClient::json_of(admin("auditor", "VN/GOV/TEST.02").get("/audit/v1/connectivity"));
  EXPECT_EQ(scoped["systems_registered"], 4) << "the headline is the hub's";
  EXPECT_EQ(scoped["systems_exchanged"], 2);
  std::set<std::string> systems;
  for (const auto& system : scoped["systems"])
    systems.insert(system["identifier"]);
  EXPECT_EQ(systems, (std::set<std::string>{kDeadProvider, kConsumer}));
  ASSERT_EQ(scoped["agreements"].size(), 1u);
  EXPECT_EQ(scoped["agreements"][0]["provider"], kDeadProvider);
  EXPECT_TRUE(scoped["traffic"].empty()) << "the echo exchange is not TEST.02's";
  EXPECT_EQ(scoped["members"].size(), 2u);
}

TEST_F(ConsoleApiTest, ConsoleFilesAreServedFromTheirDirectoryOnly) {
  TestClient browser(hub_->admin_port(), std::nullopt);
  const auto index = browser.request("GET", "/console/", "", "");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(index.header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_NE(index.body.find("<html"), std::string::npos);
  EXPECT_EQ(browser.request("GET", "/", "", "").header("location"), "/console/");
  EXPECT_EQ(browser.request("GET", "/console/js/app.js", "", "").header("content-type"),
            "text/javascript; charset=utf-8");
  for (const char* outside :
       {"/console/../CMakeLists.txt", "/console/%2e%2e/README.md", "/console/js/../../README.md",
        "/console/missing.js", "/console/README.md"}) {
    EXPECT_EQ(browser.request("GET", outside, "", "").status, 404) << outside;
  }
}

}  // namespace
}  // namespace lienthong::testing

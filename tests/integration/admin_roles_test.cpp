// What each admin role may and may not do. A forbidden action is a 403
// problem+json and changes nothing; other members' entities are invisible.
#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class AdminRoles : public AdminFixture {
 protected:
  int count(const std::string& table) const {
    return std::stoi(database_->scalar("SELECT count(*) FROM " + table));
  }
  std::string system_path(const std::string& code) const {
    return "/admin/v1/systems/" + std::to_string(id_of("systems", "system_code = '" + code + "'"));
  }
};

TEST_F(AdminRoles, MemberAdminManagesOnlyItsOwnMembersSystems) {
  auto provider_admin = admin(token("member-admin", kProviderMember));
  const auto own = provider_admin.post(
      "/admin/v1/systems", {{"member", kProviderMember}, {"code", "NEW-SYS"}, {"name", "Mine"}});
  EXPECT_EQ(own.status, 201) << own.body;

  const int systems = count("systems");
  const int changes = count("admin_changes");
  const auto foreign = provider_admin.post(
      "/admin/v1/systems", {{"member", kConsumerMember}, {"code", "EVIL"}, {"name", "Theirs"}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(foreign.header("content-type"), "application/problem+json");
  EXPECT_EQ(count("systems"), systems);
  EXPECT_EQ(count("admin_changes"), changes);

  // Another member's system: invisible, and cannot be changed.
  EXPECT_EQ(provider_admin.get(system_path("TEST-OTHER")).status, 404);
  EXPECT_EQ(provider_admin.patch(system_path("TEST-OTHER"), {{"name", "x"}}, "\"1\"").status, 404);
  const auto listed = AdminClient::json_of(provider_admin.get("/admin/v1/systems"));
  for (const auto& item : listed["items"])
    EXPECT_EQ(item["member"], kProviderMember) << item.dump();
  EXPECT_EQ(listed["items"].size(), 2u);  // TEST-PROVIDER and NEW-SYS
  // The member directory is readable by every member.
  EXPECT_EQ(AdminClient::json_of(provider_admin.get("/admin/v1/members"))["items"].size(), 3u);
}

TEST_F(AdminRoles, MemberAdminCannotCreateMembersTokensOrCredentialsElsewhere) {
  auto consumer_admin = admin(token("member-admin", kConsumerMember));
  EXPECT_EQ(consumer_admin
                .post("/admin/v1/members",
                      {{"instance", "VN"}, {"class", "ORG"}, {"code", "X"}, {"name", "x"}})
                .status,
            403);
  EXPECT_EQ(consumer_admin.post("/admin/v1/admin-tokens", {{"role", "hub-admin"}, {"label", "me"}})
                .status,
            403);
  EXPECT_EQ(consumer_admin.get("/admin/v1/admin-tokens").status, 403);
  EXPECT_EQ(
      consumer_admin.post("/admin/v1/credentials", {{"system", kProvider}, {"kind", "api_key"}})
          .status,
      403);
  EXPECT_EQ(consumer_admin.post("/admin/v1/credentials", {{"system", kOther}, {"kind", "api_key"}})
                .status,
            201);
  // Requesting access for another member's system is not requesting.
  EXPECT_EQ(consumer_admin
                .post("/admin/v1/agreements", {{"consumer", kDeadProvider},
                                               {"provider", kProvider},
                                               {"service_code", "echo"},
                                               {"purpose", "p"},
                                               {"legal_basis", "b"}})
                .status,
            403);
}

TEST_F(AdminRoles, AuditorReadsEverythingAndChangesNothing) {
  auto auditor = admin(token("auditor"));
  for (const auto* path :
       {"/admin/v1/members", "/admin/v1/systems", "/admin/v1/credentials", "/admin/v1/services",
        "/admin/v1/json-schemas", "/admin/v1/agreements", "/admin/v1/admin-changes"}) {
    EXPECT_EQ(auditor.get(path).status, 200) << path;
  }
  // Admin tokens (their labels and roles) are the hub admin's alone.
  EXPECT_EQ(auditor.get("/admin/v1/admin-tokens").status, 403);
  const int changes = count("admin_changes");
  EXPECT_EQ(
      auditor
          .post("/admin/v1/systems", {{"member", kProviderMember}, {"code", "AUD"}, {"name", "x"}})
          .status,
      403);
  EXPECT_EQ(auditor.patch(system_path("TEST-OTHER"), {{"name", "x"}}, "\"1\"").status, 403);
  const auto agreement = id_of("agreements", "status = 'approved' LIMIT 1");
  EXPECT_EQ(auditor.post("/admin/v1/agreements/" + std::to_string(agreement) + "/revoke").status,
            403);
  EXPECT_EQ(count("admin_changes"), changes);
  EXPECT_EQ(
      database_->scalar("SELECT status FROM agreements WHERE id = " + std::to_string(agreement)),
      "approved");
}

TEST_F(AdminRoles, MemberAdminSeesOnlyItsOwnMembersAdminChanges) {
  auto hub = hub_admin();
  ASSERT_EQ(
      hub.post("/admin/v1/systems", {{"member", kProviderMember}, {"code", "P1"}, {"name", "p"}})
          .status,
      201);
  ASSERT_EQ(
      hub.post("/admin/v1/systems", {{"member", kConsumerMember}, {"code", "C1"}, {"name", "c"}})
          .status,
      201);
  auto consumer_admin = admin(token("member-admin", kConsumerMember));
  const auto log = AdminClient::json_of(consumer_admin.get("/admin/v1/admin-changes"));
  // Its own system, and the creation of its own member-admin token; not P1.
  ASSERT_EQ(log["items"].size(), 2u) << log.dump();
  EXPECT_EQ(log["items"][0]["after"]["code"], "C1");
  EXPECT_EQ(log["items"][1]["entity"], "admin-tokens");
  const auto all = AdminClient::json_of(hub.get("/admin/v1/admin-changes"));
  EXPECT_GE(all["items"].size(), 2u);
}

TEST_F(AdminRoles, WrongMethodsAndMediaTypesAreRefusedClearly) {
  auto hub = hub_admin();
  TestClient raw(hub_->admin_port(), std::nullopt);
  const auto auth =
      std::map<std::string, std::string>{{"Authorization", "Bearer " + hub_admin_token_}};
  EXPECT_EQ(raw.request("DELETE", "/admin/v1/systems", "", "", auth).status, 405);
  EXPECT_EQ(
      raw.request("POST", "/admin/v1/systems", "code=x", "application/x-www-form-urlencoded", auth)
          .status,
      415);
  EXPECT_EQ(raw.request("POST", "/admin/v1/systems", "{\"code\":", "application/json", auth).status,
            400);
  EXPECT_EQ(raw.request("PATCH", system_path("TEST-OTHER"), "{\"name\":\"x\"}", "application/json",
                        {{"Authorization", "Bearer " + hub_admin_token_}, {"If-Match", "nonsense"}})
                .status,
            412);
}

}  // namespace
}  // namespace lienthong::testing

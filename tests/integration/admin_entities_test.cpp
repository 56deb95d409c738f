// Create, read, update and list for every registry entity through the admin
// API, with ETags, invalid input and the admin-change log.
#include <fstream>
#include <sstream>

#include "lienthong/core/digest.hpp"

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class AdminEntities : public AdminFixture {
 protected:
  // Creates and returns the entity, failing the test unless the answer is 201.
  json create(const std::string& resource, const json& body) {
    auto client = hub_admin();
    const auto response = client.post("/admin/v1/" + resource, body);
    EXPECT_EQ(response.status, 201) << response.body;
    EXPECT_EQ(response.header("etag"), "\"1\"");
    return AdminClient::json_of(response);
  }

  static std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }
};

TEST_F(AdminEntities, MembersCreateReadUpdateList) {
  auto client = hub_admin();
  const auto member = create("members", {{"instance", "VN"},
                                         {"class", "GOV"},
                                         {"code", "000.00.00.G12"},
                                         {"name", "Bộ Tư pháp"},
                                         {"contact_email", "dulieu@moj.gov.vn"}});
  EXPECT_EQ(member["identifier"], "VN/GOV/000.00.00.G12");
  const auto path = "/admin/v1/members/" + std::to_string(member["id"].get<int>());

  const auto read = client.get(path);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(AdminClient::json_of(read)["name"], "Bộ Tư pháp");

  const auto updated = client.patch(path, {{"contact_name", "Nguyễn Văn A"}}, "\"1\"");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.header("etag"), "\"2\"");
  EXPECT_EQ(AdminClient::json_of(updated)["contact_name"], "Nguyễn Văn A");

  const auto listed = AdminClient::json_of(client.get("/admin/v1/members?class=GOV"));
  std::vector<std::string> codes;
  for (const auto& item : listed["items"])
    codes.push_back(item["code"]);
  EXPECT_EQ(codes, (std::vector<std::string>{"TEST.01", "TEST.02", "000.00.00.G12"}));
}

TEST_F(AdminEntities, GovernmentMembersNeedTheNationalAgencyCodeFormat) {
  auto client = hub_admin();
  const auto response = client.post(
      "/admin/v1/members", {{"instance", "VN"}, {"class", "PROV"}, {"code", "HN"}, {"name", "x"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(AdminClient::json_of(response)["errors"][0]["pointer"], "/code");
}

TEST_F(AdminEntities, ListsPageWithKeysetCursor) {
  auto client = hub_admin();
  const auto first = AdminClient::json_of(client.get("/admin/v1/systems?limit=2"));
  ASSERT_EQ(first["items"].size(), 2u);
  ASSERT_FALSE(first["next_after"].is_null());
  const auto second = AdminClient::json_of(client.get(
      "/admin/v1/systems?limit=2&after=" + std::to_string(first["next_after"].get<int>())));
  ASSERT_EQ(second["items"].size(), 2u);
  EXPECT_TRUE(second["next_after"].is_null());
  EXPECT_GT(second["items"][0]["id"], first["items"][1]["id"]);
}

TEST_F(AdminEntities, SystemsCreateReadUpdateAndFilter) {
  auto client = hub_admin();
  const auto system = create("systems", {{"member", kProviderMember},
                                         {"code", "HOTICH"},
                                         {"name", "Civil status registry"},
                                         {"base_url", "https://hotich.example.gov.vn/api"}});
  EXPECT_EQ(system["identifier"], "VN/GOV/TEST.01/HOTICH");
  EXPECT_EQ(system["status"], "active");
  const auto path = "/admin/v1/systems/" + std::to_string(system["id"].get<int>());
  const auto disabled = client.patch(path, {{"status", "disabled"}}, "\"1\"");
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  const auto listed = AdminClient::json_of(client.get("/admin/v1/systems?status=disabled"));
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0]["code"], "HOTICH");
}

TEST_F(AdminEntities, CertificateCredentialFromPemGetsTheHubsFingerprint) {
  const auto credential =
      create("credentials", {{"system", kOther},
                             {"kind", "certificate"},
                             {"certificate_pem", read_file(pki_file("TEST-PROVIDER.crt"))},
                             {"label", "second certificate"}});
  const auto fingerprint = database_->scalar("SELECT fingerprint FROM credentials WHERE id = " +
                                             std::to_string(credential["id"].get<int>()));
  EXPECT_EQ(credential["fingerprint"], fingerprint);
  EXPECT_EQ(fingerprint.size(), 64u);
  EXPECT_EQ(credential["status"], "active");
}

TEST_F(AdminEntities, ApiKeyIsShownOnceAndStoredOnlyAsItsHash) {
  auto client = hub_admin();
  const auto created = create("credentials", {{"system", kOther}, {"kind", "api_key"}});
  const std::string key = created["secret"]["api_key"];
  ASSERT_EQ(key.rfind("ltk_", 0), 0u);
  const auto id = std::to_string(created["id"].get<int>());
  EXPECT_EQ(database_->scalar("SELECT key_sha256 FROM credentials WHERE id = " + id),
            sha256_hex(key));
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM credentials WHERE key_sha256 = '" + key + "'"),
            "0");
  const auto read = client.get("/admin/v1/credentials/" + id);
  EXPECT_EQ(read.body.find(key), std::string::npos);
  EXPECT_EQ(read.body.find(sha256_hex(key)), std::string::npos);

  const auto revoked = client.post("/admin/v1/credentials/" + id + "/revoke");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(AdminClient::json_of(revoked)["status"], "revoked");
  EXPECT_EQ(client.post("/admin/v1/credentials/" + id + "/revoke").status, 409);
}

TEST_F(AdminEntities, JsonSchemasAreValidatedImmutableAndDeprecatedNotDeleted) {
  auto client = hub_admin();
  const json document{
      {"$schema", "http://json-schema.org/draft-07/schema#"},
      {"type", "object"},
      {"required", {"idNumber"}},
      {"properties", {{"idNumber", {{"type", "string"}, {"pattern", "^[0-9]{12}$"}}}}}};
  const auto schema =
      create("json-schemas",
             {{"name", "citizen-lookup-request"}, {"version", "1"}, {"document", document}});
  EXPECT_EQ(schema["identifier"], "citizen-lookup-request/1");
  const auto path = "/admin/v1/json-schemas/" + std::to_string(schema["id"].get<int>());

  const auto rewrite = client.patch(path, {{"document", {{"type", "string"}}}}, "\"1\"");
  EXPECT_EQ(rewrite.status, 400);
  EXPECT_EQ(AdminClient::json_of(rewrite)["errors"][0]["pointer"], "/document");
  EXPECT_THROW(database_->execute("DELETE FROM json_schemas"), std::exception);

  const auto deprecated = client.post(path + "/deprecate", {{"reason", "replaced by v2"}});
  ASSERT_EQ(deprecated.status, 200) << deprecated.body;
  EXPECT_EQ(AdminClient::json_of(deprecated)["status"], "deprecated");
  EXPECT_EQ(AdminClient::json_of(client.get(path))["document"], document);

  const auto invalid = client.post("/admin/v1/json-schemas",
                                   {{"name", "broken"},
                                    {"version", "1"},
                                    {"document", {{"type", "object"}, {"required", "idNumber"}}}});
  EXPECT_EQ(invalid.status, 400) << invalid.body;
  const auto wrong_draft =
      client.post("/admin/v1/json-schemas",
                  {{"name", "old"},
                   {"version", "1"},
                   {"document", {{"$schema", "http://json-schema.org/draft-03/schema#"}}}});
  EXPECT_EQ(wrong_draft.status, 400);
}

TEST_F(AdminEntities, ServicesReferenceSchemasAndUpdateWithIfMatch) {
  auto client = hub_admin();
  create("json-schemas",
         {{"name", "echo-request"}, {"version", "1"}, {"document", {{"type", "object"}}}});
  const auto service = create("services", {{"system", kProvider},
                                           {"code", "echo"},
                                           {"version", "v2"},
                                           {"name", "Echo v2"},
                                           {"provider_path", "/echo"},
                                           {"request_schema", "echo-request/1"},
                                           {"timeout_ms", 2000}});
  EXPECT_EQ(service["identifier"], std::string(kProvider) + "/echo/v2");
  EXPECT_EQ(service["request_schema"], "echo-request/1");
  const auto path = "/admin/v1/services/" + std::to_string(service["id"].get<int>());

  const auto updated = client.patch(path, {{"timeout_ms", 9000}}, "\"1\"");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(AdminClient::json_of(updated)["timeout_ms"], 9000);

  const auto stale = client.patch(path, {{"timeout_ms", 1000}}, "\"1\"");
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(AdminClient::json_of(stale)["code"], "Client.PreconditionFailed");
  const auto unconditional = client.patch(path, {{"timeout_ms", 1000}}, std::nullopt);
  EXPECT_EQ(unconditional.status, 428);
  EXPECT_EQ(database_->scalar("SELECT timeout_ms FROM services WHERE id = " +
                              std::to_string(service["id"].get<int>())),
            "9000");

  const auto unknown_schema = client.post("/admin/v1/services", {{"system", kProvider},
                                                                 {"code", "echo"},
                                                                 {"version", "v3"},
                                                                 {"name", "Echo v3"},
                                                                 {"provider_path", "/echo"},
                                                                 {"request_schema", "nope/1"}});
  EXPECT_EQ(unknown_schema.status, 400);
  EXPECT_EQ(AdminClient::json_of(unknown_schema)["errors"][0]["pointer"], "/request_schema");

  // X-Road's metaservice codes are answered by the hub; no service may take one.
  const auto reserved = client.post("/admin/v1/services", {{"system", kProvider},
                                                           {"code", "listMethods"},
                                                           {"version", "v1"},
                                                           {"name", "Shadow"},
                                                           {"provider_path", "/x"}});
  EXPECT_EQ(reserved.status, 400);
  EXPECT_EQ(AdminClient::json_of(reserved)["errors"][0]["pointer"], "/code");
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM services WHERE service_code = 'listMethods'"),
            "0");
}

TEST_F(AdminEntities, InvalidInputListsEveryBadFieldAndChangesNothing) {
  auto client = hub_admin();
  const int before = std::stoi(database_->scalar("SELECT count(*) FROM systems"));
  const auto response = client.post("/admin/v1/systems", {{"member", kProviderMember},
                                                          {"code", "bad code"},
                                                          {"name", ""},
                                                          {"base_url", "ftp://x"},
                                                          {"colour", "blue"}});
  ASSERT_EQ(response.status, 400);
  const auto problem = AdminClient::json_of(response);
  EXPECT_EQ(response.header("content-type"), "application/problem+json");
  EXPECT_EQ(problem["code"], "Client.InvalidInput");
  std::set<std::string> pointers;
  for (const auto& error : problem["errors"])
    pointers.insert(error["pointer"]);
  EXPECT_EQ(pointers, (std::set<std::string>{"/code", "/name", "/base_url", "/colour"}));
  EXPECT_EQ(std::stoi(database_->scalar("SELECT count(*) FROM systems")), before);

  EXPECT_EQ(client.post("/admin/v1/systems", json::array()).status, 400);
  const auto duplicate =
      client.post("/admin/v1/systems",
                  {{"member", kConsumerMember}, {"code", "TEST-OTHER"}, {"name", "again"}});
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(client.get("/admin/v1/systems/999999").status, 404);
  EXPECT_EQ(client.get("/admin/v1/systems/abc").status, 404);
  EXPECT_EQ(client.get("/admin/v1/systems?colour=blue").status, 400);
  EXPECT_EQ(client.get("/admin/v1/nothing").status, 404);
}

TEST_F(AdminEntities, EveryChangeIsLoggedWithActorAndBeforeAfter) {
  auto client = hub_admin();
  const auto system =
      create("systems", {{"member", kProviderMember}, {"code", "LOGGED"}, {"name", "A"}});
  const auto id = std::to_string(system["id"].get<int>());
  ASSERT_EQ(client.patch("/admin/v1/systems/" + id, {{"name", "B"}}, "\"1\"").status, 200);

  const auto log =
      AdminClient::json_of(client.get("/admin/v1/admin-changes?entity=systems&entity_id=" + id));
  ASSERT_EQ(log["items"].size(), 2u);
  const auto& created = log["items"][0];
  const auto& updated = log["items"][1];
  EXPECT_EQ(created["action"], "create");
  EXPECT_TRUE(created["before"].is_null());
  EXPECT_EQ(created["after"]["name"], "A");
  EXPECT_EQ(updated["action"], "update");
  EXPECT_EQ(updated["before"]["name"], "A");
  EXPECT_EQ(updated["after"]["name"], "B");
  EXPECT_EQ(updated["actor_role"], "hub-admin");
  EXPECT_NE(updated["actor"].get<std::string>().find("test hub-admin"), std::string::npos);
  EXPECT_THROW(database_->execute("UPDATE admin_changes SET actor = 'someone else'"),
               std::exception);
}

TEST_F(AdminEntities, AdminTokensAreCreatedShownOnceAndRevoked) {
  auto client = hub_admin();
  const auto created =
      create("admin-tokens", {{"role", "auditor"}, {"label", "state audit office"}});
  const std::string secret = created["secret"]["token"];
  auto auditor = admin(secret);
  EXPECT_EQ(auditor.get("/admin/v1/systems").status, 200);
  EXPECT_EQ(
      client.post("/admin/v1/admin-tokens", {{"role", "member-admin"}, {"label", "no member"}})
          .status,
      400);
  const auto revoked =
      client.post("/admin/v1/admin-tokens/" + std::to_string(created["id"].get<int>()) + "/revoke");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  const auto refused = auditor.get("/admin/v1/systems");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.header("www-authenticate"), "Bearer realm=\"lienthong-admin\"");
}

TEST_F(AdminEntities, RefusesRequestsWithoutAValidToken) {
  auto nobody = admin("lta_not-a-real-token");
  const auto response = nobody.get("/admin/v1/systems");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(AdminClient::json_of(response)["code"], "Client.AdminUnauthenticated");
  TestClient anonymous(hub_->admin_port(), std::nullopt);
  EXPECT_EQ(anonymous.request("GET", "/admin/v1/members", "", "").status, 401);
  EXPECT_EQ(anonymous.request("GET", "/livez", "", "").status, 200);
}

}  // namespace
}  // namespace lienthong::testing

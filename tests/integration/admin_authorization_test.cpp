// The authorization matrix, generated from the route table
// (AdminApi::routes()): every route x every role x its own or another
// member's data. A third member, TEST.09, owns one entity of every kind and
// has exchanged through the hub; callers scoped to TEST.03 must never see a
// trace of it ("TEST.09" is in every identifier it owns), and roles a route
// does not list get 403. A new route is covered by being in the table.
#include <fstream>
#include <set>
#include <sstream>

#include "lienthong/admin/admin_api.hpp"
#include "lienthong/audit/signing_key.hpp"

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
// The fixture has a member function admin(); the namespace is spelt out.
using lienthong::admin::AdminApi;
using lienthong::admin::Role;

constexpr const char* kOtherMember = "VN/ORG/TEST.09";
constexpr const char* kOtherSystem = "VN/ORG/TEST.09/CSYS";
constexpr const char* kMarker = "TEST.09";

class AdminAuthorization : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    auto hub = hub_admin();
    const auto created = [&](const std::string& resource, const json& body) {
      const auto response = hub.post("/admin/v1/" + resource, body);
      EXPECT_EQ(response.status, 201) << resource << ": " << response.body;
      return AdminClient::json_of(response)["id"].get<std::int64_t>();
    };
    ids_["members"] = created(
        "members",
        {{"instance", "VN"}, {"class", "ORG"}, {"code", kMarker}, {"name", "Other organisation"}});
    ids_["systems"] =
        created("systems", {{"member", kOtherMember},
                            {"code", "CSYS"},
                            {"name", "Other system"},
                            {"base_url", "http://127.0.0.1:" + std::to_string(provider_->port())}});
    // The test PKI's DANCU certificate authenticates CSYS.
    ids_["credentials"] = created("credentials", {{"system", kOtherSystem},
                                                  {"kind", "certificate"},
                                                  {"fingerprint", fingerprint_of("DANCU")}});
    ids_["services"] = created("services", {{"system", kOtherSystem},
                                            {"code", "other-lookup"},
                                            {"version", "v1"},
                                            {"name", "Other lookup"},
                                            {"provider_path", "/api/echo"}});
    ids_["json-schemas"] = created("json-schemas", {{"name", "other-request"},
                                                    {"version", "1"},
                                                    {"member", kOtherMember},
                                                    {"document", {{"type", "object"}}}});
    ids_["agreements"] = created("agreements", {{"consumer", kOtherSystem},
                                                {"provider", kProvider},
                                                {"service_code", "echo"},
                                                {"purpose", "integration test"},
                                                {"legal_basis", "test fixture"}});
    EXPECT_EQ(
        hub.post("/admin/v1/agreements/" + std::to_string(ids_["agreements"]) + "/approve").status,
        200);
    ids_["admin-tokens"] =
        created("admin-tokens",
                {{"role", "member-admin"}, {"member", kOtherMember}, {"label", "TEST.09 admin"}});
    // A peer hub, seen by the hub admin alone (its name carries the marker).
    std::ostringstream ca;
    ca << std::ifstream(pki_file("ca.crt")).rdbuf();
    ids_["peers"] = created(
        "peers",
        {{"instance", "VN-TEST09"},
         {"name", "TEST.09 platform"},
         {"exchange_url", "https://127.0.0.1:9"},
         {"tls_ca_pem", ca.str()},
         {"client_fingerprint", fingerprint_of("DANCU")},
         {"catalogue_key_pem",
          audit::SigningKey::load_or_create(pki_file("audit-signing.key")).public_key_pem()}});
    const auto provider_auth =
        hub.put("/admin/v1/systems/" + std::to_string(ids_["systems"]) + "/provider-auth",
                {{"http_basic", {{"username", "TEST.09-user"}, {"password", "secret"}}}});
    EXPECT_EQ(provider_auth.status, 201) << provider_auth.body;
    database_->execute("UPDATE services SET allow_async = true WHERE service_code = 'echo'");
    ASSERT_TRUE(hub_->reload_registry().has_value());

    // TEST.09 exchanges: one audit record, one queued delivery.
    TestClient other(hub_->exchange_port(), "DANCU");
    ASSERT_EQ(
        other.post("/exchange/v1/messages", envelope("other-1", kOtherSystem, kProvider, "echo"))
            .status,
        200);
    ASSERT_EQ(other
                  .request("POST", "/exchange/v1/messages",
                           envelope("other-2", kOtherSystem, kProvider, "echo"), "application/json",
                           {{"Prefer", "respond-async"}})
                  .status,
              202);
    ids_["deliveries"] =
        std::stoll(database_->scalar("SELECT id FROM deliveries WHERE message_id = 'other-2'"));
    ids_["exchanges"] =
        std::stoll(database_->scalar("SELECT id FROM audit_records WHERE message_id = 'other-1'"));
    ids_["admin-changes"] =
        std::stoll(database_->scalar("SELECT max(id) FROM admin_changes WHERE member_ids = ARRAY[" +
                                     std::to_string(ids_["members"]) + "]::bigint[]"));
  }

  // The id of TEST.09's entity behind a route's {id}.
  std::string other_id(const std::string& route) const {
    for (const auto& [resource, id] : ids_) {
      if (route.find("/" + resource + "/{id}") != std::string::npos)
        return std::to_string(id);
    }
    ADD_FAILURE() << "no TEST.09 entity for " << route;
    return "999999";
  }

  std::map<std::string, std::int64_t> ids_;
};

struct Caller {
  std::string name;
  Role role;
  std::optional<std::string> member;  // scope
};

TEST_F(AdminAuthorization, EveryRouteHonoursItsRolesAndMemberScope) {
  const std::vector<Caller> callers = {
      {"hub-admin", Role::kHubAdmin, std::nullopt},
      {"member-admin of TEST.03", Role::kMemberAdmin, kConsumerMember},
      {"auditor", Role::kAuditor, std::nullopt},
      {"auditor of TEST.03", Role::kAuditor, kConsumerMember},
  };
  // Issuing the tokens is itself logged; count the changes after it.
  std::vector<std::string> bearers;
  for (const auto& caller : callers) {
    bearers.push_back(
        caller.role == Role::kHubAdmin
            ? hub_admin_token_
            : token(std::string(lienthong::admin::role_name(caller.role)), caller.member));
  }
  const int changes_before = std::stoi(database_->scalar("SELECT count(*) FROM admin_changes"));
  int checked = 0;
  for (std::size_t c = 0; c < callers.size(); ++c) {
    const auto& caller = callers[c];
    const std::string& bearer = bearers[c];
    TestClient raw(hub_->admin_port(), std::nullopt);
    const std::map<std::string, std::string> headers{{"Authorization", "Bearer " + bearer},
                                                     {"If-Match", "\"1\""}};
    for (const auto& route : AdminApi::routes()) {
      if (route.access.roles.empty())
        continue;  // health, metrics, the API description: no admin token
      const bool writes = route.method != "GET";
      const bool allowed = std::find(route.access.roles.begin(), route.access.roles.end(),
                                     caller.role) != route.access.roles.end();
      // Unscoped callers that may write would really change TEST.09's data.
      if (writes && allowed && !caller.member)
        continue;
      std::string path = route.path;
      const bool by_id = path.find("{id}") != std::string::npos;
      if (by_id)
        path.replace(path.find("{id}"), 4, other_id(route.path));
      if (path.starts_with("/audit/v1/") && !by_id && !path.ends_with("/connectivity"))
        path += "?from=2000-01-01&to=2100-01-01";  // every record there is
      const auto response = raw.request(route.method, path, writes ? "{}" : "",
                                        writes ? "application/json" : "", headers);
      const std::string what = caller.name + ": " + route.method + " " + path;
      ++checked;
      if (!allowed) {
        EXPECT_EQ(response.status, 403) << what << "\n" << response.body.substr(0, 300);
        continue;
      }
      if (caller.member && route.access.member_scoped) {
        EXPECT_EQ(response.body.find(kMarker), std::string::npos)
            << what << " shows another member's data:\n"
            << response.body.substr(0, 500);
        if (by_id) {
          EXPECT_TRUE(response.status == 404 || response.status == 403) << what;
        } else if (!writes) {
          EXPECT_EQ(response.status, 200) << what << "\n" << response.body.substr(0, 300);
        }
      } else if (!writes && route.path.ends_with("/evidence")) {
        // This hub takes no trusted timestamps, so no record has evidence.
        EXPECT_EQ(response.status, 409) << what << "\n" << response.body.substr(0, 300);
        EXPECT_NE(response.body.find("audit.timestamp_url"), std::string::npos) << what;
      } else if (!writes) {
        EXPECT_EQ(response.status, 200) << what << "\n" << response.body.substr(0, 300);
      }
      if (writes) {
        EXPECT_GE(response.status, 400) << what;
      }
    }
  }
  EXPECT_GT(checked, 150);
  EXPECT_EQ(std::stoi(database_->scalar("SELECT count(*) FROM admin_changes")), changes_before)
      << "a refused call changed something";
}

TEST_F(AdminAuthorization, EveryRouteNamesItsRolesAndRequestsFindTheirRoute) {
  // Each route's roles are non-empty unless it is one of the public ones.
  const std::set<std::string> public_routes = {"/livez", "/healthz", "/readyz", "/metrics",
                                               "/admin/v1/openapi.json"};
  for (const auto& route : AdminApi::routes()) {
    EXPECT_EQ(route.access.roles.empty(), public_routes.contains(route.path))
        << route.method << " " << route.path;
    if (route.path.find("{id}") == std::string::npos) {
      EXPECT_EQ(AdminApi::find_route(route.method, route.path), &route) << route.path;
    }
  }
  ASSERT_NE(AdminApi::find_route("GET", "/admin/v1/systems/42"), nullptr);
  EXPECT_EQ(AdminApi::find_route("GET", "/admin/v1/systems/42")->path, "/admin/v1/systems/{id}");
  EXPECT_EQ(AdminApi::find_route("GET", "/admin/v1/systems/x"), nullptr);
  EXPECT_EQ(AdminApi::find_route("POST", "/admin/v1/agreements/7/approve")->path,
            "/admin/v1/agreements/{id}/approve");
}

}  // namespace
}  // namespace lienthong::testing

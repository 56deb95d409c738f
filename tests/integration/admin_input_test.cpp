// The admin API under inputs and conditions that once gave 500 or 503:
// text PostgreSQL cannot store, and worker connections that a database
// restart left broken.
#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

using AdminInput = AdminFixture;

TEST_F(AdminInput, NulInTextIsAClear400AndChangesNothing) {
  auto admin = hub_admin();
  const std::string before = database_->scalar("SELECT count(*) FROM members");
  const auto response =
      admin.post("/admin/v1/members", {{"instance", "VN"},
                                       {"class", "GOV"},
                                       {"code", "000.00.00.G12"},
                                       {"name", std::string("Bộ") + '\0' + "Tư pháp"}});
  EXPECT_EQ(response.status, 400) << response.body;
  const auto problem = AdminClient::json_of(response);
  EXPECT_EQ(problem["code"], "Client.InvalidInput");
  EXPECT_EQ(problem["errors"][0]["pointer"], "/name");
  // In a member name, too, and deeper in a document.
  const auto nested = admin.post(
      "/admin/v1/json-schemas",
      {{"name", "nul"},
       {"version", "1"},
       {"document", {{"properties", {{"a\u0001", {}}}}, {"title", std::string("x\0y", 3)}}}});
  EXPECT_EQ(nested.status, 400) << nested.body;
  EXPECT_EQ(AdminClient::json_of(nested)["errors"][0]["pointer"], "/document/title");
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM members"), before);
}

TEST_F(AdminInput, WorkersReconnectAfterTheDatabaseDroppedTheirConnections) {
  auto admin = hub_admin();
  // Every worker thread opens its connection.
  for (int i = 0; i < 12; ++i)
    ASSERT_EQ(admin.get("/admin/v1/members").status, 200);
  // What a PostgreSQL restart does to them: each is closed by the server.
  database_->execute(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid() "
      "AND application_name NOT LIKE 'pg_%'");
  for (int i = 0; i < 12; ++i) {
    const auto response = admin.get("/admin/v1/members");
    EXPECT_EQ(response.status, 200) << "request " << i << ": " << response.body;
  }
}

}  // namespace
}  // namespace lienthong::testing

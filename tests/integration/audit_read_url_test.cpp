// audit.read_url: the auditor API's reads run on another server (a replica in
// production), while tokens are checked and roll-ups written on the primary.
// Here the "replica" is a second database with an empty audit log, so where
// each read ran shows in what it returns.
#include <memory>
#include <string>

#include "admin_fixture.hpp"
#include "hub_process.hpp"
#include "test_environment.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class AuditReadUrl : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    TestClient consumer(hub_->exchange_port(), "TEST-CONSUMER");
    ASSERT_EQ(
        consumer.post("/exchange/v1/messages", envelope("read-url-1", kConsumer, kProvider, "echo"))
            .status,
        200);
    replica_ = std::make_unique<TestDatabase>();
    HubProcessOptions options;
    options.settings["AUDIT_READ_URL"] = replica_->url();
    node_ = std::make_unique<HubProcess>("read-url-node", database_->url(), options);
    auditor_ = token("auditor");
  }
  std::unique_ptr<TestDatabase> replica_;
  std::unique_ptr<HubProcess> node_;
  std::string auditor_;
};

const std::string kToday = "/audit/v1/exchanges?from=2000-01-01&to=2100-01-01";

TEST_F(AuditReadUrl, SearchesReadTheReplicaAndTokensAreCheckedOnThePrimary) {
  // The primary's log has the exchange; the node with a read URL answers
  // from the (empty) replica, with a token the replica has never seen.
  const auto on_primary = admin(auditor_).get(kToday + "&message_id=read-url-1");
  ASSERT_EQ(on_primary.status, 200) << on_primary.body;
  EXPECT_EQ(AdminClient::json_of(on_primary)["items"].size(), 1U);
  AdminClient replica_reader(node_->admin_port(), auditor_);
  const auto on_replica = replica_reader.get(kToday + "&message_id=read-url-1");
  ASSERT_EQ(on_replica.status, 200) << on_replica.body;
  EXPECT_EQ(AdminClient::json_of(on_replica)["items"].size(), 0U);
  EXPECT_EQ(AdminClient(node_->admin_port(), "not-a-token").get(kToday).status, 401);
}

TEST_F(AuditReadUrl, ExportsAndStatsReadTheReplicaToo) {
  AdminClient replica_reader(node_->admin_port(), auditor_);
  const auto exported = replica_reader.get("/audit/v1/export?from=2000-01-01&to=2100-01-01");
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.body, "");  // NDJSON: no line at all
  const auto stats = replica_reader.get("/audit/v1/stats?from=2000-01-01&to=2100-01-01");
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_TRUE(AdminClient::json_of(stats)["items"].empty());
  const auto primary_stats = admin(auditor_).get("/audit/v1/stats?from=2000-01-01&to=2100-01-01");
  EXPECT_FALSE(AdminClient::json_of(primary_stats)["items"].empty());
}

TEST_F(AuditReadUrl, ConnectivityRollsUpOnThePrimaryAndReadsTheReplica) {
  AdminClient replica_reader(node_->admin_port(), auditor_);
  const auto graph = replica_reader.get("/audit/v1/connectivity?days=7");
  ASSERT_EQ(graph.status, 200) << graph.body;
  // The roll-up ran where it can write: the primary records which days it did.
  EXPECT_NE(database_->scalar("SELECT count(*) FROM audit_traffic_days_done"), "0");
  EXPECT_EQ(replica_->scalar("SELECT count(*) FROM audit_traffic_days_done"), "0");
  EXPECT_EQ(replica_reader.get("/audit/v1/connectivity?days=0").status, 400);
}

}  // namespace
}  // namespace lienthong::testing

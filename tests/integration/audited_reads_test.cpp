// Audited reads (issue 24): every read of exchange records, bodies, exports
// and evidence through the auditor API is recorded, before its answer is
// sent, in the 'audit-reads' chain that checkpoints seal and `audit verify`
// checks; a member's auditor sees the reads of its member's exchanges.
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_verifier.hpp"

#include "timestamped_hub_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class AuditedReads : public TimestampedHubFixture {
 protected:
  std::int64_t exchanged(const std::string& id) {
    EXPECT_EQ(exchange(id).status, 200);
    return id_of("audit_records", "message_id = '" + id + "'");
  }
  json reads(const std::string& bearer) const {
    const auto page = admin(bearer).get("/audit/v1/reads?from=2000-01-01&to=2100-01-01&limit=500");
    EXPECT_EQ(page.status, 200) << page.body;
    return AdminClient::json_of(page)["items"];
  }
  audit::ChainReport reads_chain() const {
    pqxx::connection connection(database_->url());
    pqxx::read_transaction tx(connection);
    for (auto& chain : audit::verify_audit_log(tx, {}).chains)
      if (chain.node == audit::kReadsChain)
        return chain;
    ADD_FAILURE() << "no audit-reads chain";
    return {};
  }
};

TEST_F(AuditedReads, EveryReadOfRecordsIsRecordedWithWhoWhatAndHowMany) {
  const auto first = exchanged("read-1");
  const auto second = exchanged("read-2");
  const std::string auditor = token("auditor");
  auto client = admin(auditor);
  const auto list =
      client.get("/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&message_id=read-1");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(client.get("/audit/v1/exchanges/" + std::to_string(second)).status, 200);
  ASSERT_EQ(client.get("/audit/v1/export?from=2000-01-01&to=2100-01-01").status, 200);
  const auto stats = client.get("/audit/v1/stats?from=2000-01-01&to=2100-01-01");
  ASSERT_EQ(stats.status, 200);  // aggregates: no record is read

  const auto items = reads(auditor);
  ASSERT_EQ(items.size(), 3u) << items.dump(2);
  const std::string consumer_member =
      database_->scalar("SELECT id FROM members WHERE member_code = 'TEST.03'");
  const std::string provider_member =
      database_->scalar("SELECT id FROM members WHERE member_code = 'TEST.01'");
  const auto members = json::array({std::stoll(provider_member), std::stoll(consumer_member)});
  EXPECT_EQ(items[0]["endpoint"], "GET /audit/v1/exchanges");
  EXPECT_EQ(items[0]["filter"]["message_id"], "read-1");
  EXPECT_EQ(items[0]["record_ids"], json::array({first}));
  EXPECT_EQ(items[0]["returned"], 1);
  EXPECT_EQ(items[1]["endpoint"], "GET /audit/v1/exchanges/{id}");
  EXPECT_EQ(items[1]["record_ids"], json::array({second}));
  EXPECT_EQ(items[2]["endpoint"], "GET /audit/v1/export");
  EXPECT_EQ(items[2]["record_ids"], json::array());
  EXPECT_EQ(items[2]["returned"].get<std::int64_t>(),
            std::stoll(database_->scalar("SELECT count(*) FROM audit_records")));
  for (const auto& item : items) {
    EXPECT_EQ(item["actor_role"], "auditor");
    EXPECT_NE(item["actor"].get<std::string>().find("token"), std::string::npos) << item;
    EXPECT_TRUE(item["scope"].is_null());
    EXPECT_EQ(item["member_ids"], members) << item;
    EXPECT_TRUE(audit::is_chain_link(item["record_hash"].get<std::string>()));
  }
  EXPECT_EQ(items[2]["seq"].get<std::int64_t>(), items[0]["seq"].get<std::int64_t>() + 2);

  // Evidence is a read too.
  ASSERT_TRUE(stamped());
  std::this_thread::sleep_for(1500ms);
  for (int i = 0; i < 60; ++i) {
    if (client.get("/audit/v1/exchanges/" + std::to_string(first) + "/evidence").status != 409)
      break;
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_reads WHERE endpoint = "
                              "'GET /audit/v1/exchanges/{id}/evidence' AND record_ids = ARRAY[" +
                              std::to_string(first) + "::bigint]"),
            "1");

  // A member's auditor sees the reads of its member's exchanges; another
  // member's auditor sees none of them, only its own.
  EXPECT_EQ(reads(token("auditor", kConsumerMember)).size(), reads(auditor).size());
  const std::string outsider = token("auditor", "VN/GOV/TEST.02");
  EXPECT_TRUE(reads(outsider).empty());
  ASSERT_EQ(admin(outsider).get("/audit/v1/exchanges?from=2000-01-01&to=2100-01-01").status, 200);
  const auto own = reads(outsider);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0]["returned"], 0);
  EXPECT_FALSE(own[0]["scope"].is_null());
  EXPECT_EQ(admin(token("member-admin", kConsumerMember))
                .get("/audit/v1/reads?from=2000-01-01&to=2100-01-01")
                .status,
            403);
  EXPECT_EQ(admin(auditor).get("/audit/v1/reads?from=2000-01-01").status, 400);
  // A query that is not UTF-8 text is refused before anything is read.
  const auto reads_before = database_->scalar("SELECT count(*) FROM audit_reads");
  EXPECT_EQ(admin(auditor).get("/audit/v1/exchanges/" + std::to_string(first) + "?x=%FF").status,
            400);
  EXPECT_EQ(
      admin(auditor).get("/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&purpose=%C3%28").status,
      400);
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_reads"), reads_before);
}

TEST_F(AuditedReads, TheReadChainIsSealedVerifiedAndAChangedReadIsFound) {
  const auto record = exchanged("read-chain");
  auto client = admin(token("auditor"));
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(client.get("/audit/v1/exchanges/" + std::to_string(record)).status, 200);
  // The writer seals the chain's head (every second here) and the
  // timestamper dates it.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline &&
         database_->scalar("SELECT count(*) FROM audit_timestamps t JOIN audit_checkpoints c ON "
                           "c.id = t.checkpoint_id WHERE c.node = 'audit-reads' AND c.seq >= 3") ==
             "0")
    std::this_thread::sleep_for(100ms);
  hub_.reset();  // nothing more is written while the log is examined
  const auto good = reads_chain();
  EXPECT_FALSE(good.problem.has_value()) << good.problem->detail;
  EXPECT_EQ(good.records_checked, 3);
  EXPECT_GE(good.checkpoints_checked, 1);

  // Whoever holds the database hides who read what: the chain says where.
  database_->execute(
      "ALTER TABLE audit_reads DISABLE TRIGGER USER;"
      "UPDATE audit_reads SET actor = 'nobody' WHERE seq = 2;"
      "ALTER TABLE audit_reads ENABLE TRIGGER USER");
  const auto changed = reads_chain();
  ASSERT_TRUE(changed.problem.has_value());
  EXPECT_EQ(changed.problem->kind, "altered");
  EXPECT_EQ(changed.problem->seq, 2);
  EXPECT_THROW(database_->execute("DELETE FROM audit_reads"), std::exception);
}

TEST_F(AuditedReads, NoRecordLeavesWithoutItsReadRecorded) {
  const auto record = exchanged("read-unrecorded");
  // The read log cannot be written: the answer is an error, not the record.
  database_->execute("ALTER TABLE audit_reads RENAME TO audit_reads_away");
  const auto refused = admin(token("auditor")).get("/audit/v1/exchanges/" + std::to_string(record));
  database_->execute("ALTER TABLE audit_reads_away RENAME TO audit_reads");
  EXPECT_GE(refused.status, 500) << refused.body;
  EXPECT_EQ(refused.body.find("read-unrecorded"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace lienthong::testing

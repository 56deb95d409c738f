// The audit log is tamper-evident: the hash chain and the signed checkpoints
// locate a changed field, a deleted row, reordered rows and a cut-off tail,
// each done directly in PostgreSQL as someone with full database access would.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/audit/audit_verifier.hpp"

#include "hub_fixture.hpp"
#include "hub_process.hpp"

namespace lienthong::testing {
namespace {

class AuditChain : public HubFixture {
 protected:
  static constexpr int kRecords = 12;

  void configure(Config& config) override {
    config.audit.checkpoint_records = 5;      // checkpoints at 5, 10 ...
    config.audit.checkpoint_seconds = 3'600;  // ... and 12, when the writer stops
  }

  // kRecords exchanges, one after another (so record n has seq n), then the
  // hub stops and seals its chain.
  void SetUp() override {
    HubFixture::SetUp();
    auto consumer = client();
    for (int i = 1; i <= kRecords; ++i) {
      const auto id = "chain-" + std::to_string(i);
      ASSERT_EQ(
          consumer.post("/exchange/v1/messages", envelope(id, kConsumer, kProvider, "echo")).status,
          200);
    }
    hub_.reset();
  }

  audit::VerifyReport verify(const audit::VerifyOptions& options = {}) const {
    pqxx::connection connection(database_->url());
    pqxx::read_transaction tx(connection);
    return audit::verify_audit_log(tx, options);
  }

  // Tampering as a superuser would: past the append-only triggers.
  void tamper(const std::string& sql) const {
    database_->execute(
        "ALTER TABLE audit_records DISABLE TRIGGER USER;"
        "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER;" +
        sql +
        ";ALTER TABLE audit_records ENABLE TRIGGER USER;"
        "ALTER TABLE audit_checkpoints ENABLE TRIGGER USER");
  }

  std::string id_of(int seq) const {
    return database_->scalar("SELECT id FROM audit_records WHERE seq = " + std::to_string(seq));
  }

  static audit::ChainProblem only_problem(const audit::VerifyReport& report) {
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(report.chains.size(), 1u);
    EXPECT_TRUE(report.chains.at(0).problem.has_value());
    return *report.chains.at(0).problem;
  }
};

TEST_F(AuditChain, AnUntouchedLogVerifiesWithEveryRecordSealed) {
  const auto report = verify();
  ASSERT_TRUE(report.ok()) << audit::report_json(report).dump(2);
  ASSERT_EQ(report.chains.size(), 1u);
  const auto& chain = report.chains[0];
  EXPECT_EQ(chain.node, "test-node");
  EXPECT_EQ(chain.records_checked, kRecords);
  EXPECT_EQ(chain.checkpoints_checked, 3);  // 5, 10 and 12 (at stop)
  EXPECT_EQ(chain.unsealed_records, 0);
  EXPECT_EQ(database_->scalar("SELECT string_agg(seq::text, ',' ORDER BY seq) "
                              "FROM audit_checkpoints"),
            "5,10,12");

  // A restarted node continues its chain where it stopped.
  start_hub();
  auto consumer = client();
  ASSERT_EQ(consumer.post("/exchange/v1/messages", envelope("after", kConsumer, kProvider, "echo"))
                .status,
            200);
  hub_.reset();
  EXPECT_EQ(database_->scalar("SELECT seq FROM audit_records WHERE message_id = 'after'"), "13");
  const auto again = verify();
  EXPECT_TRUE(again.ok()) << audit::report_json(again).dump(2);
  EXPECT_EQ(again.chains.at(0).records_checked, kRecords + 1);
}

TEST_F(AuditChain, AChangedFieldIsLocated) {
  tamper("UPDATE audit_records SET purpose = 'marketing' WHERE seq = 7");
  const auto problem = only_problem(verify());
  EXPECT_EQ(problem.kind, "altered");
  EXPECT_EQ(problem.seq, 7);
  EXPECT_EQ(std::to_string(*problem.record_id), id_of(7));
}

TEST_F(AuditChain, AFieldChangedTogetherWithItsHashBreaksTheNextLink) {
  tamper("UPDATE audit_records SET status = 404, record_hash = repeat('a', 64) WHERE seq = 3");
  const auto problem = only_problem(verify());
  EXPECT_EQ(problem.kind, "altered");
  EXPECT_EQ(problem.seq, 3) << "record 3 no longer links to record 2";
}

TEST_F(AuditChain, ADeletedRowIsLocated) {
  tamper("DELETE FROM audit_records WHERE seq = 4");
  const auto problem = only_problem(verify());
  EXPECT_EQ(problem.kind, "missing");
  EXPECT_EQ(problem.seq, 4);
}

TEST_F(AuditChain, ReorderedRowsAreLocated) {
  tamper(
      "UPDATE audit_records SET seq = -8 WHERE seq = 8;"
      "UPDATE audit_records SET seq = 8 WHERE seq = 3;"
      "UPDATE audit_records SET seq = 3 WHERE seq = -8");
  const auto problem = only_problem(verify());
  EXPECT_EQ(problem.kind, "altered");
  EXPECT_EQ(problem.seq, 3);
}

TEST_F(AuditChain, ACutOffTailIsLocatedByTheCheckpointThatSealedIt) {
  tamper("DELETE FROM audit_records WHERE seq > 9");
  const auto problem = only_problem(verify());
  EXPECT_EQ(problem.kind, "truncated");
  EXPECT_EQ(problem.seq, 10);
  EXPECT_NE(problem.detail.find("ends at record 9"), std::string::npos) << problem.detail;
}

TEST_F(AuditChain, AForgedCheckpointOrAnUntrustedKeyIsRefused) {
  tamper("UPDATE audit_checkpoints SET record_hash = repeat('b', 64) WHERE seq = 10");
  const auto problem = only_problem(verify());
  EXPECT_EQ(problem.kind, "checkpoint");
  EXPECT_EQ(problem.seq, 10);

  audit::VerifyOptions pinned;
  pinned.trusted_key_ids = {std::string(64, 'c')};
  tamper(
      "UPDATE audit_checkpoints SET record_hash = (SELECT record_hash FROM audit_records "
      "WHERE seq = 10) WHERE seq = 10");
  ASSERT_TRUE(verify().ok());
  const auto untrusted = only_problem(verify(pinned));
  EXPECT_EQ(untrusted.kind, "checkpoint");
  EXPECT_NE(untrusted.detail.find("not among the trusted keys"), std::string::npos);
}

// Whoever can rewrite the database can delete a tail together with the
// checkpoints that sealed it, or a whole chain: the chain that is left
// verifies on its own. Only a head remembered outside the database shows it.
TEST_F(AuditChain, ATailDeletedWithItsCheckpointsFailsAgainstTheHeadSavedBefore) {
  const auto before = verify();
  ASSERT_TRUE(before.ok());
  const auto heads = audit::verified_heads(before);
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].seq, kRecords);
  EXPECT_EQ(heads[0].record_hash,
            database_->scalar("SELECT record_hash FROM audit_records WHERE seq = 12"));

  tamper("DELETE FROM audit_records WHERE seq > 7; DELETE FROM audit_checkpoints WHERE seq > 7");
  EXPECT_TRUE(verify().ok()) << "what the chain alone cannot show";
  audit::VerifyOptions remembered;
  remembered.expected_heads = heads;
  const auto problem = only_problem(verify(remembered));
  EXPECT_EQ(problem.kind, "truncated");
  EXPECT_EQ(problem.seq, 8);
  EXPECT_NE(problem.detail.find("records 8 to 12 were removed"), std::string::npos)
      << problem.detail;
}

TEST_F(AuditChain, AChainDeletedWholeFailsAgainstTheHeadSavedBefore) {
  const auto heads = audit::verified_heads(verify());
  ASSERT_EQ(heads.size(), 1u);
  tamper("DELETE FROM audit_records; DELETE FROM audit_checkpoints");
  const auto alone = verify();
  EXPECT_TRUE(alone.ok());
  EXPECT_TRUE(alone.chains.empty()) << "the node is not even mentioned";
  audit::VerifyOptions remembered;
  remembered.expected_heads = heads;
  const auto problem = only_problem(verify(remembered));
  EXPECT_EQ(problem.kind, "truncated");
  EXPECT_NE(problem.detail.find("no record or checkpoint of this chain is left"), std::string::npos)
      << problem.detail;
}

TEST_F(AuditChain, AHeadTheChainNoLongerPassesThroughIsReportedAsRewritten) {
  audit::VerifyOptions remembered;
  remembered.expected_heads = {{"test-node", 10, std::string(64, 'a')}};
  const auto problem = only_problem(verify(remembered));
  EXPECT_EQ(problem.kind, "altered");
  EXPECT_EQ(problem.seq, 10);
  // Checkpoints deleted, records kept: the chain still passes through the
  // remembered head, so nothing it covers was changed.
  const auto heads = audit::verified_heads(verify());
  tamper("DELETE FROM audit_checkpoints");
  remembered.expected_heads = heads;
  EXPECT_TRUE(verify(remembered).ok());
}

TEST_F(AuditChain, TheTablesRefuseUpdatesDeletesAndTruncation) {
  for (const char* sql : {"UPDATE audit_records SET status = 200 WHERE seq = 1",
                          "DELETE FROM audit_records WHERE seq = 1", "TRUNCATE audit_records",
                          "DELETE FROM audit_checkpoints"}) {
    EXPECT_THROW(database_->execute(sql), std::exception) << sql;
  }
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records"), std::to_string(kRecords));
}

TEST_F(AuditChain, TheCommandLineReportsTheFirstBrokenRecord) {
  const auto clean = run_lienthong("audit verify", database_->url());
  EXPECT_EQ(clean.exit_code, 0) << clean.output;
  EXPECT_NE(clean.output.find("OK"), std::string::npos) << clean.output;

  tamper("UPDATE audit_records SET user_id = 'someone-else' WHERE seq = 6");
  const auto broken = run_lienthong("audit verify --json", database_->url());
  EXPECT_EQ(broken.exit_code, 3) << broken.output;
  const auto report = nlohmann::json::parse(broken.output);
  EXPECT_FALSE(report["ok"].get<bool>());
  EXPECT_EQ(report["chains"][0]["problem"]["seq"], 6);
  EXPECT_EQ(report["chains"][0]["problem"]["kind"], "altered");

  const auto bad_range = run_lienthong("audit verify --from yesterday", database_->url());
  EXPECT_EQ(bad_range.exit_code, 2) << bad_range.output;
}

TEST_F(AuditChain, TheCommandLineSavesHeadsAndHoldsTheLogToThem) {
  const auto file = std::filesystem::temp_directory_path() / ("lt-heads-" + database_->name());
  const auto saved = run_lienthong("audit verify --save-heads " + file.string(), database_->url());
  ASSERT_EQ(saved.exit_code, 0) << saved.output;
  EXPECT_NE(saved.output.find("head: record 12, link "), std::string::npos) << saved.output;
  EXPECT_NE(saved.output.find("1 chain head(s) saved"), std::string::npos) << saved.output;
  const auto still = run_lienthong("audit verify --expect " + file.string(), database_->url());
  EXPECT_EQ(still.exit_code, 0) << still.output;

  tamper("DELETE FROM audit_records WHERE seq > 9; DELETE FROM audit_checkpoints WHERE seq > 9");
  EXPECT_EQ(run_lienthong("audit verify", database_->url()).exit_code, 0);
  const auto cut = run_lienthong(
      "audit verify --expect " + file.string() + " --save-heads " + file.string() + ".after",
      database_->url());
  EXPECT_EQ(cut.exit_code, 3) << cut.output;
  EXPECT_NE(cut.output.find("records 10 to 12 were removed"), std::string::npos) << cut.output;
  EXPECT_NE(cut.output.find("heads not saved"), std::string::npos) << cut.output;
  EXPECT_FALSE(std::filesystem::exists(file.string() + ".after"));

  // A heads file that is not one, and --expect with a range, are refused.
  { std::ofstream(file) << R"({"format": "lienthong-audit-heads/1", "heads": [{"node": "x"}]})"; }
  const auto bad = run_lienthong("audit verify --expect " + file.string(), database_->url());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("each head needs"), std::string::npos) << bad.output;
  const auto ranged =
      run_lienthong("audit verify --from 2026-01-01 --expect " + file.string(), database_->url());
  EXPECT_EQ(ranged.exit_code, 2) << ranged.output;
  EXPECT_NE(ranged.output.find("leave out --from and --to"), std::string::npos) << ranged.output;
  std::filesystem::remove(file);
}

// PostgreSQL goes away in the middle of traffic and comes back: no caller may
// have received a 200 whose record is not in the log, and the chain that the
// writer resumes after reconnecting still verifies.
class AuditFailClosed : public HubFixture {};

TEST_F(AuditFailClosed, NoSuccessWithoutItsCommittedRecordWhenPostgresDisappears) {
  constexpr int kClients = 4;
  constexpr int kPerClient = 40;
  std::mutex mutex;
  std::vector<std::string> succeeded;
  std::atomic<int> unavailable{0};
  std::atomic<int> sent{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kPerClient; ++i) {
        const auto id = "fc-" + std::to_string(c) + "-" + std::to_string(i);
        ClientResponse response;
        try {
          auto consumer = client();
          response =
              consumer.post("/exchange/v1/messages", envelope(id, kConsumer, kProvider, "echo"));
        } catch (const std::exception&) {
          continue;  // a dropped connection is not a success
        }
        ++sent;
        std::lock_guard lock(mutex);
        if (response.status == 200)
          succeeded.push_back(id);
        else if (response.status == 503)
          ++unavailable;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  // Cut PostgreSQL off once traffic flows, for about a second.
  while (sent < kClients * 5)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  // Until the cut-off has hit some exchanges (at most ten seconds).
  database_->set_reachable(false);
  const auto cut_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (unavailable < kClients && std::chrono::steady_clock::now() < cut_until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  database_->set_reachable(true);
  for (auto& thread : clients)
    thread.join();
  hub_.reset();  // flush and seal

  EXPECT_GT(unavailable.load(), 0) << "the cut-off did not hit any exchange";
  EXPECT_GT(succeeded.size(), 0u);
  for (const auto& id : succeeded) {
    EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records WHERE message_id = '" + id +
                                "' AND status = 200"),
              "1")
        << id << " was answered 200 without its committed audit record";
  }
  pqxx::connection connection(database_->url());
  pqxx::read_transaction tx(connection);
  const auto report = audit::verify_audit_log(tx, {});
  EXPECT_TRUE(report.ok()) << audit::report_json(report).dump(2);
  std::cout << "[ measured ] " << succeeded.size() << " answered 200, " << unavailable.load()
            << " answered 503 while PostgreSQL was away\n";
}

}  // namespace
}  // namespace lienthong::testing

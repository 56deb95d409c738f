// The audit log is tamper-evident: the hash chain and the signed checkpoints
// locate a changed field, a deleted row, reordered rows and a cut-off tail,
// each done directly in PostgreSQL as someone with full database access would
// (the append-only triggers bypassed). What the database alone cannot show,
// a tail or a chain deleted together with its checkpoints, the heads kept
// outside it show: an auditor's saved heads and the witness directory.
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
#include "lienthong/audit/audit_witness.hpp"

#include "audit_report.hpp"
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
    // The operator's directory on another volume: the hub never creates
    // it, so a volume that failed to mount is not silently replaced.
    std::filesystem::create_directories(witness_dir());
    config.audit.witness_dir = witness_dir().string();
  }

  std::filesystem::path witness_dir() const {
    return std::filesystem::temp_directory_path() / ("lt-witness-" + database_->name());
  }

  void TearDown() override {
    const auto witness = witness_dir();
    HubFixture::TearDown();
    std::filesystem::remove_all(witness);
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
    database_->execute("SET session_replication_role = replica;" + sql +
                       ";SET session_replication_role = origin");
  }

  audit::VerifyReport verify_with_witness() const {
    audit::VerifyOptions options;
    options.witnessed_heads = audit::read_witnesses(witness_dir()).heads;
    return verify(options);
  }

  std::string id_of(int seq) const {
    return database_->scalar("SELECT id FROM audit_records WHERE seq = " + std::to_string(seq));
  }

  // The problem found in the node's chain (the admin-change chain is listed too).
  static audit::ChainProblem only_problem(const audit::VerifyReport& report) {
    EXPECT_FALSE(report.ok());
    const auto& chain = chain_named(report, "test-node");
    EXPECT_TRUE(chain.problem.has_value()) << audit::report_json(report).dump(2);
    return chain.problem.value_or(audit::ChainProblem{});
  }
};

TEST_F(AuditChain, AnUntouchedLogVerifiesWithEveryRecordSealed) {
  const auto report = verify();
  ASSERT_TRUE(report.ok()) << audit::report_json(report).dump(2);
  ASSERT_EQ(report.chains.size(), 3u);  // the node, admin changes, audited reads
  const auto& chain = chain_named(report, "test-node");
  EXPECT_EQ(chain.records_checked, kRecords);
  EXPECT_EQ(chain.checkpoints_checked, 4);  // the genesis, 5, 10 and 12 (at stop)
  EXPECT_EQ(chain.unsealed_records, 0);
  EXPECT_EQ(database_->scalar("SELECT string_agg(seq::text, ',' ORDER BY seq) "
                              "FROM audit_checkpoints WHERE node = 'test-node'"),
            "0,5,10,12");
  // No admin changes were made, but the chain's genesis is signed.
  const auto& admin = chain_named(report, "admin-changes");
  EXPECT_EQ(admin.records_checked, 0);
  EXPECT_EQ(admin.checkpoints_checked, 1);

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
  EXPECT_EQ(chain_named(again, "test-node").records_checked, kRecords + 1);
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

// A node's registered key outlives its chain: records and checkpoints gone
// (the genesis too) is a chain deleted, not one never written.
TEST_F(AuditChain, AChainDeletedWithItsCheckpointsIsMissing) {
  tamper("DELETE FROM audit_records; DELETE FROM audit_checkpoints WHERE node = 'test-node'");
  const auto problem = only_problem(verify());
  EXPECT_EQ(problem.kind, "missing");
  EXPECT_EQ(problem.seq, 0);
  EXPECT_NE(problem.detail.find("a signing key is registered for this chain"), std::string::npos)
      << problem.detail;
}

// Every checkpoint deleted: the admin-change chain's genesis is gone at
// once, and the records left without a checkpoint for longer than a writer
// ever leaves them fail too.
TEST_F(AuditChain, EveryCheckpointDeletedIsReported) {
  tamper("DELETE FROM audit_checkpoints");
  const auto fresh = verify();
  EXPECT_FALSE(fresh.ok());
  EXPECT_EQ(chain_named(fresh, "admin-changes").problem.value_or(audit::ChainProblem{}).kind,
            "missing");
  audit::VerifyOptions a_day_later;
  a_day_later.now = std::chrono::system_clock::now() + std::chrono::hours(25);
  const auto problem = only_problem(verify(a_day_later));
  EXPECT_EQ(problem.kind, "unsealed");
  EXPECT_EQ(problem.seq, 1);
  EXPECT_NE(problem.detail.find("records 1 to 12 have no checkpoint"), std::string::npos)
      << problem.detail;
  a_day_later.unsealed_limit.reset();
  EXPECT_FALSE(chain_named(verify(a_day_later), "test-node").problem.has_value());
}

// The same with the node's key deleted too: nothing of the chain is left
// in the database to show it ever existed, but the auditor's saved heads
// and the witness do.
TEST_F(AuditChain, AChainDeletedWithItsKeyFailsAgainstTheHeadsKeptOutside) {
  const auto heads = audit::verified_heads(verify());
  ASSERT_EQ(heads.size(), 1u) << "the admin-change chain has no record to save a head of";
  tamper(
      "DELETE FROM audit_records; DELETE FROM audit_checkpoints WHERE node = 'test-node';"
      "DELETE FROM audit_signing_keys WHERE node = 'test-node'");
  const auto alone = verify();
  EXPECT_TRUE(alone.ok()) << audit::report_json(alone).dump(2);
  EXPECT_EQ(alone.chains.size(), 2u) << "the node is not even mentioned (only the linked chains)";
  audit::VerifyOptions remembered;
  remembered.expected_heads = heads;
  for (const auto& report : {verify(remembered), verify_with_witness()}) {
    const auto problem = only_problem(report);
    EXPECT_EQ(problem.kind, "truncated");
    EXPECT_NE(problem.detail.find("no record or checkpoint of this chain is left"),
              std::string::npos)
        << problem.detail;
  }
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
  tamper("DELETE FROM audit_checkpoints WHERE node = 'test-node' AND seq > 0");
  remembered.expected_heads = heads;
  EXPECT_TRUE(verify(remembered).ok());
}

// Every checkpoint the node signed is in its witness files (one per chain),
// in order, with what it takes to check the signature without the database.
TEST_F(AuditChain, TheWitnessHoldsEveryCheckpointTheNodeSigned) {
  std::vector<std::string> published;
  for (const char* file : {"test-node.witness.jsonl", "test-node+admin-changes.witness.jsonl"}) {
    std::ifstream in(witness_dir() / file);
    ASSERT_TRUE(in) << "no witness file " << file;
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(nlohmann::json::parse(line)["format"], "lienthong-audit-witness/1");
    while (std::getline(in, line)) {
      const auto checkpoint = nlohmann::json::parse(line);
      published.push_back(checkpoint["chain"].get<std::string>() + ":" +
                          std::to_string(checkpoint["seq"].get<std::int64_t>()));
      EXPECT_EQ(checkpoint["signature"],
                database_->scalar("SELECT signature FROM audit_checkpoints WHERE node = '" +
                                  checkpoint["chain"].get<std::string>() +
                                  "' AND seq = " + std::to_string(checkpoint["seq"].get<int>())));
    }
  }
  EXPECT_EQ(published, (std::vector<std::string>{"test-node:0", "test-node:5", "test-node:10",
                                                 "test-node:12", "admin-changes:0"}));
  const auto report = verify_with_witness();
  EXPECT_TRUE(report.ok()) << audit::report_json(report).dump(2);
  EXPECT_EQ(chain_named(report, "test-node").witnessed_checked, 4);
}

TEST_F(AuditChain, ATailDeletedWithItsCheckpointsFailsAgainstTheWitness) {
  tamper("DELETE FROM audit_records WHERE seq > 7; DELETE FROM audit_checkpoints WHERE seq > 7");
  EXPECT_TRUE(verify().ok()) << "what the database alone cannot show";
  const auto problem = only_problem(verify_with_witness());
  EXPECT_EQ(problem.kind, "truncated");
  EXPECT_EQ(problem.seq, 8);
  EXPECT_NE(problem.detail.find("record 12 was witnessed outside the database: records 8 to 12 "
                                "were removed"),
            std::string::npos)
      << problem.detail;

  const auto cli =
      run_lienthong("audit verify --witness " + witness_dir().string(), database_->url());
  EXPECT_EQ(cli.exit_code, 3) << cli.output;
  EXPECT_NE(cli.output.find("held to 6 witnessed checkpoint(s) from 3 file(s)"), std::string::npos)
      << cli.output;
  EXPECT_NE(cli.output.find("records 8 to 12 were removed"), std::string::npos) << cli.output;
}

// The tail cut and the node writing on: the chain grows past its old length
// with other records, and verifies on its own. The witness still holds the
// checkpoints of the records that were there before, and the writer, which
// finds its database behind its witness, says so in its log.
TEST_F(AuditChain, AChainCutAndWrittenOnFailsAgainstTheWitness) {
  tamper("DELETE FROM audit_records WHERE seq > 7; DELETE FROM audit_checkpoints WHERE seq > 7");
  start_hub();
  auto consumer = client();
  for (int i = 1; i <= 8; ++i) {
    ASSERT_EQ(consumer
                  .post("/exchange/v1/messages",
                        envelope("again-" + std::to_string(i), kConsumer, kProvider, "echo"))
                  .status,
              200);
  }
  hub_.reset();
  EXPECT_EQ(database_->scalar("SELECT max(seq) FROM audit_records"), "15");
  EXPECT_TRUE(verify().ok());
  const auto problem = only_problem(verify_with_witness());
  EXPECT_EQ(problem.kind, "altered");
  EXPECT_EQ(problem.seq, 10) << "the first witnessed checkpoint of the records that were replaced";
}

// A witness directory set up after the fact, or a file lost: the writer
// publishes every checkpoint of its chains the file does not hold yet.
TEST_F(AuditChain, AWitnessFileLostOrAddedLaterIsFilledFromTheDatabase) {
  const auto file = witness_dir() / "test-node.witness.jsonl";
  std::filesystem::remove(file);
  start_hub();
  hub_.reset();
  const auto reading = audit::read_witnesses(witness_dir());
  EXPECT_EQ(reading.files, 3u)
      << "the node's chain's, refilled, and the admin-change and read chains'";
  EXPECT_EQ(reading.heads.size(), 6u);
  EXPECT_EQ(reading.unreadable_lines, 0u);
  // A line cut short by a crash is skipped; the next checkpoint starts a line of its own.
  { std::ofstream(file, std::ios::app) << R"({"chain":"test-node","seq":)"; }
  start_hub();
  ASSERT_EQ(client()
                .post("/exchange/v1/messages", envelope("after", kConsumer, kProvider, "echo"))
                .status,
            200);
  hub_.reset();
  const auto after = audit::read_witnesses(witness_dir());
  EXPECT_EQ(after.heads.size(), 7u);
  EXPECT_EQ(after.unreadable_lines, 1u);
  EXPECT_EQ(after.heads.back().seq, 13);
  EXPECT_TRUE(verify_with_witness().ok());
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
  const auto& chain = report["chains"][2];  // admin-changes, audit-reads, test-node
  EXPECT_EQ(chain["node"], "test-node");
  EXPECT_EQ(chain["problem"]["seq"], 6);
  EXPECT_EQ(chain["problem"]["kind"], "altered");

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

// A witness that cannot be written (its volume did not mount): the node
// goes on for the grace period, retrying, then leaves service, as it would
// for an audit log it cannot write.
class AuditWitnessUnwritable : public HubFixture {
 protected:
  void configure(Config& config) override {
    config.audit.witness_dir =
        (std::filesystem::temp_directory_path() / ("lt-no-witness-" + database_->name())).string();
    config.audit.witness_grace_seconds = 1;
  }
};

TEST_F(AuditWitnessUnwritable, TheNodeLeavesServiceAfterTheGrace) {
  auto consumer = client();
  ASSERT_EQ(consumer.post("/exchange/v1/messages", envelope("first", kConsumer, kProvider, "echo"))
                .status,
            200)
      << "within the grace";
  // Readiness also waits for the registry listener just after start: wait
  // for the witness's own check, then the rest must still hold.
  TestClient admin(hub_->admin_port(), std::nullopt);
  const auto witness_current = [&](const ClientResponse& ready) {
    return nlohmann::json::parse(ready.body)["checks"]["audit_witness_current"].get<bool>();
  };
  auto ready = admin.request("GET", "/readyz", "", "");
  for (int i = 0; i < 200 && witness_current(ready); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ready = admin.request("GET", "/readyz", "", "");
  }
  ASSERT_FALSE(witness_current(ready)) << ready.body;
  EXPECT_EQ(ready.status, 503) << ready.body;
  const auto checks = nlohmann::json::parse(ready.body)["checks"];
  for (const char* holds : {"snapshot_loaded", "audit_writer_healthy", "accepting_requests"})
    EXPECT_TRUE(checks[holds].get<bool>()) << holds << ": " << ready.body;
  const auto refused =
      consumer.post("/exchange/v1/messages", envelope("later", kConsumer, kProvider, "echo"));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("Server.AuditUnavailable"), std::string::npos) << refused.body;
  const auto metrics = admin.request("GET", "/metrics", "", "").body;
  EXPECT_NE(metrics.find("lienthong_audit_witness_failures_total "), std::string::npos);
  EXPECT_EQ(metrics.find("lienthong_audit_witness_failures_total 0\n"), std::string::npos)
      << "the failures are counted";
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

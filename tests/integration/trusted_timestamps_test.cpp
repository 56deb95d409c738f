// Trusted timestamps of the audit log (issue 24) through the running hub: the
// demo's RFC 3161 authority in-process on loopback (its own CA, as an outside
// authority has), the hub stamping its newest checkpoints every second. An
// authority that is down, or not the pinned one, for longer than the failure
// period stops exchanges (503) until tokens come again: fail closed.
#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_verifier.hpp"
#include "lienthong/audit/trusted_timestamp.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/demo/timestamp_service.hpp"

#include "timestamped_hub_fixture.hpp"

namespace lienthong::testing {
namespace {

using namespace std::chrono_literals;

class TrustedTimestamps : public TimestampedHubFixture {
 protected:
  // The node's chain as `lienthong audit verify --tsa-ca CA` sees it.
  audit::ChainReport verified_with(const std::string& ca) const {
    audit::VerifyOptions options;
    options.timestamp_trust =
        std::make_shared<const audit::TsaTrust>(audit::TsaTrust::from_pem(read_pki(ca)).value());
    pqxx::connection connection(database_->url());
    pqxx::read_transaction tx(connection);
    for (auto& chain : audit::verify_audit_log(tx, options).chains)
      if (chain.node == "test-node")
        return chain;
    ADD_FAILURE() << "no chain of test-node";
    return {};
  }
};

TEST_F(TrustedTimestamps, TheNodesCheckpointsGetTokensThatVerifyAgainstTheAuthoritysCa) {
  ASSERT_EQ(exchange("tsa-1").status, 200);
  const std::string seq =
      database_->scalar("SELECT seq FROM audit_records WHERE message_id = 'tsa-1'");
  // Within a few rounds the checkpoint that seals the record has its token.
  std::string row;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    row = database_->scalar(
        "SELECT coalesce((SELECT concat_ws('|', c.node, c.seq, c.record_hash, (extract(epoch FROM "
        "c.signed_at) * 1000000)::bigint, c.signature, t.digest, encode(t.token, 'hex'), "
        "t.requested_by, c.from_seq, c.records_root, encode(convert_to(t.batch, 'UTF8'), "
        "'hex')) FROM audit_timestamps t JOIN audit_checkpoints c ON c.id = t.checkpoint_id "
        "WHERE c.node = 'test-node' AND c.seq >= " +
        seq + " ORDER BY c.seq LIMIT 1), '')");
    if (!row.empty())
      break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_FALSE(row.empty()) << "no token for the checkpoint sealing seq " << seq;
  std::vector<std::string> f;
  std::stringstream fields(row);
  for (std::string part; std::getline(fields, part, '|');)
    f.push_back(part);
  ASSERT_EQ(f.size(), 11u) << row;
  EXPECT_EQ(f[7], "test-node");
  // The checkpoint signs the tree of the records it seals, the record's among them.
  EXPECT_LE(std::stoll(f[8]), std::stoll(seq));
  EXPECT_TRUE(audit::is_chain_link(f[9])) << f[9];
  // The token is over the batch of the chain's checkpoints since the last
  // token, the newest of which is this checkpoint's text and signature.
  const std::string text = audit::timestamped_checkpoint_text(
      f[0], std::stoll(f[1]), f[2], std::stoll(f[3]), f[4], {std::stoll(f[8]), f[9]});
  const std::string batch = from_hex(f[10]).value();
  const auto entries = audit::parse_timestamp_batch("test-node", batch);
  ASSERT_TRUE(entries.has_value()) << batch;
  EXPECT_EQ(entries->back().seq, std::stoll(f[1]));
  EXPECT_EQ(entries->back().digest, sha256_hex(text));
  EXPECT_EQ(f[5], sha256_hex(batch));
  const auto trust = audit::TsaTrust::from_pem(read_pki("tsa-ca.crt")).value();
  const auto token =
      audit::verify_timestamp_token(from_hex(f[6]).value(), from_hex(f[5]).value(), trust);
  ASSERT_TRUE(token.has_value()) << token.error().detail;
  EXPECT_NE(token.value().tsa_subject.find("Time-Stamping Authority"), std::string::npos);
  // Not for any other batch.
  EXPECT_FALSE(audit::verify_timestamp_token(from_hex(f[6]).value(),
                                             from_hex(sha256_hex(batch + " ")).value(), trust)
                   .has_value());
  // Counted for Prometheus.
  const std::string metrics = hub_->metrics();
  EXPECT_NE(metrics.find("lienthong_audit_timestamps_current 1"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("lienthong_audit_timestamps_total 0"), std::string::npos) << metrics;
  // Append-only, like the checkpoints it dates.
  EXPECT_THROW(database_->execute("DELETE FROM audit_timestamps"), std::exception);
}

// `audit verify` checks every kept token: against the pinned authority, and
// over exactly its checkpoint; a changed token or one over another text is
// the chain's problem.
TEST_F(TrustedTimestamps, VerificationChecksEveryTokenAndFindsAChangedOne) {
  ASSERT_EQ(exchange("tsa-verify").status, 200);
  ASSERT_TRUE(stamped());
  // The auditor API checks them too, against the hub's audit.timestamp_ca.
  const auto report = AdminClient::json_of(admin(token("auditor")).get("/audit/v1/verify"));
  EXPECT_TRUE(report.value("ok", false)) << report.dump(2);
  std::int64_t checked_by_api = 0;
  for (const auto& chain : report["chains"])
    if (chain["node"] == "test-node")
      checked_by_api = chain["timestamps_checked"].get<std::int64_t>();
  EXPECT_GE(checked_by_api, 1) << report.dump(2);
  hub_.reset();  // nothing more is stamped while the log is examined
  const auto good = verified_with("tsa-ca.crt");
  EXPECT_FALSE(good.problem.has_value()) << good.problem->detail;
  EXPECT_GE(good.timestamps_checked, 1);
  const auto other = verified_with("other-tsa-ca.crt");
  ASSERT_TRUE(other.problem.has_value()) << "tokens of an authority not pinned by the auditor";
  EXPECT_EQ(other.problem->kind, "timestamp");

  // A superuser rewrites a token (past the append-only trigger).
  database_->execute(
      "ALTER TABLE audit_timestamps DISABLE TRIGGER USER;"
      "UPDATE audit_timestamps SET token = set_byte(token, length(token) - 4, "
      "get_byte(token, length(token) - 4) # 1) "
      "WHERE id = (SELECT min(t.id) FROM audit_timestamps t JOIN audit_checkpoints c ON c.id = "
      "t.checkpoint_id WHERE c.node = 'test-node');"
      "ALTER TABLE audit_timestamps ENABLE TRIGGER USER");
  const auto changed = verified_with("tsa-ca.crt");
  ASSERT_TRUE(changed.problem.has_value());
  EXPECT_EQ(changed.problem->kind, "timestamp");
  EXPECT_NE(changed.problem->detail.find("does not verify"), std::string::npos)
      << changed.problem->detail;
}

TEST_F(TrustedTimestamps, AnAuthorityDownPastThePeriodStopsExchangesUntilItIsBack) {
  // Fail closed within two seconds of failing (X-Road's default: 4 hours).
  hub_.reset();
  failure_seconds_ = 2;
  available_->store(false);
  start_hub();
  const auto refused = exchange_until(503, "tsa-down");
  ASSERT_EQ(refused.status, 503) << refused.body;
  const auto problem = nlohmann::json::parse(refused.body);
  EXPECT_EQ(problem["code"], "Server.AuditUnavailable");
  EXPECT_NE(problem["detail"].get<std::string>().find("audit.timestamp_failure_seconds"),
            std::string::npos)
      << refused.body;
  EXPECT_FALSE(hub_->ready()) << "a load balancer takes the node out too";
  EXPECT_NE(hub_->metrics().find("lienthong_audit_timestamps_current 0"), std::string::npos);

  // The authority is back: the next round's token puts the node back in service.
  available_->store(true);
  const auto served = exchange_until(200, "tsa-back");
  EXPECT_EQ(served.status, 200) << served.body;
  EXPECT_NE(tokens_kept(), "0");
}

TEST_F(TrustedTimestamps, TokensOfAnAuthorityThatIsNotPinnedAreNotKept) {
  // The hub pins another authority's CA: every token is refused, none is
  // kept, and past the period the node stops taking exchanges.
  hub_.reset();
  pinned_ca_ = "other-tsa-ca.crt";
  failure_seconds_ = 2;
  start_hub();
  const auto refused = exchange_until(503, "tsa-other");
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("audit.timestamp_failure_seconds"), std::string::npos)
      << refused.body;
  EXPECT_EQ(refused.body.find("127.0.0.1"), std::string::npos)
      << "the authority's address is the operator's to know, not the caller's: " << refused.body;
  EXPECT_EQ(tokens_kept(), "0");
  EXPECT_EQ(hub_->metrics().find("lienthong_audit_timestamp_failures_total 0"), std::string::npos);
}

}  // namespace
}  // namespace lienthong::testing

// One exchange's evidence file (issue 24, docs/evidence.md) through the
// running hub with its authority on loopback: fetched from the auditor API
// and the CLI, checked by the verifier and by the doc's own openssl and
// sha256sum commands, and every changed byte found.
#include "lienthong/evidence/exchange_evidence.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sys/wait.h>

#include "lienthong/core/digest.hpp"

#include "hub_process.hpp"
#include "timestamped_hub_fixture.hpp"

namespace lienthong::testing {
namespace {

namespace fs = std::filesystem;

class ExchangeEvidence : public TimestampedHubFixture {
 protected:
  void SetUp() override {
    TimestampedHubFixture::SetUp();
    auto hub = hub_admin();
    const auto echo_id = std::to_string(id_of("services", "service_code = 'echo'"));
    const auto current = hub.get("/admin/v1/services/" + echo_id);
    ASSERT_EQ(hub.patch("/admin/v1/services/" + echo_id, {{"audit_bodies", "full"}},
                        current.header("etag"))
                  .status,
              200);
    ASSERT_TRUE(hub_->reload_registry().has_value());
    dir_ = fs::temp_directory_path() /
           ("lt-evidence-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    TimestampedHubFixture::TearDown();
    fs::remove_all(dir_);
  }

  // Sends a few exchanges (so the record's checkpoint seals several and
  // its tree path has steps), then `id`; the audit record id of `id`.
  std::int64_t exchanged(const std::string& id) {
    for (int i = 0; i < 5; ++i)
      EXPECT_EQ(exchange(id + "-before-" + std::to_string(i)).status, 200);
    EXPECT_EQ(exchange(id).status, 200);
    for (int i = 0; i < 2; ++i)
      EXPECT_EQ(exchange(id + "-after-" + std::to_string(i)).status, 200);
    return id_of("audit_records", "message_id = '" + id + "'");
  }
  // GET .../evidence until it is no longer 409 (sealed and stamped), at most `limit`.
  ClientResponse evidence(std::int64_t record, const std::string& auditor_token,
                          std::chrono::seconds limit = 15s) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      auto answer =
          admin(auditor_token).get("/audit/v1/exchanges/" + std::to_string(record) + "/evidence");
      if (answer.status != 409 || std::chrono::steady_clock::now() >= deadline)
        return answer;
      std::this_thread::sleep_for(200ms);
    }
  }
  audit::TsaTrust pinned(const std::string& ca = "tsa-ca.crt") const {
    return audit::TsaTrust::from_pem(read_pki(ca)).value();
  }
  std::string write(const std::string& name, const std::string& text) const {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // Runs docs/evidence.md's openssl and sha256sum check on `file`, in a
  // directory of its own; its exit code and output.
  CommandResult doc_check(const std::string& file) const {
    std::ifstream doc(std::string(LIENTHONG_SOURCE_DIR) + "/docs/evidence.md");
    std::ostringstream text;
    text << doc.rdbuf();
    const std::string markdown = text.str();
    const auto begin = markdown.find("<!-- evidence-check: begin -->\n```sh\n");
    const auto end = markdown.find("```\n<!-- evidence-check: end -->");
    EXPECT_NE(begin, std::string::npos);
    EXPECT_NE(end, std::string::npos);
    const auto script_start = markdown.find("```sh\n", begin) + 6;
    const std::string script = write("check.sh", markdown.substr(script_start, end - script_start));
    const auto work = dir_ / ("run-" + std::to_string(runs_++));
    fs::create_directories(work);
    const std::string command = "cd '" + work.string() + "' && F='" + file + "' CA='" +
                                pki_file("tsa-ca.crt") + "' bash '" + script + "' 2>&1";
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    char buffer[4096];
    for (std::size_t n = 0; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
      result.output.append(buffer, n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
  }

  fs::path dir_;
  mutable int runs_ = 0;
};

// The bytes of the file's part `label` ("LIENTHONG RECORD", "CERTIFICATE", or
// "summary" for the lines before the parts): where its body begins and ends.
std::pair<std::size_t, std::size_t> part_of(const std::string& file, const std::string& label) {
  if (label == "summary")
    return {0, file.find("\n-----BEGIN ")};
  const std::string begin = "-----BEGIN " + label + "-----\n";
  const auto at = file.find(begin);
  if (at == std::string::npos)
    return {std::string::npos, std::string::npos};
  return {at + begin.size(), file.find("-----END " + label + "-----", at)};
}

TEST_F(ExchangeEvidence, AFileFromTheApiProvesTheExchangeAloneAndTheDocsCommandsAgree) {
  const auto record = exchanged("evidence-1");
  const auto answer = evidence(record, token("auditor"));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_NE(answer.header("content-disposition").find("exchange-" + std::to_string(record)),
            std::string::npos);
  const std::string& file = answer.body;

  const auto trust = pinned();
  const auto checked = evidence::verify_evidence(file, &trust);
  ASSERT_TRUE(checked.has_value()) << checked.error().detail << "\n" << file;
  EXPECT_EQ(checked.value().record.message_id, "evidence-1");
  EXPECT_EQ(checked.value().record.consumer, kConsumer);
  EXPECT_EQ(checked.value().record.status, 200);
  EXPECT_TRUE(checked.value().request_body && checked.value().response_body);
  EXPECT_EQ(checked.value().record_hash,
            database_->scalar("SELECT record_hash FROM audit_records WHERE id = " +
                              std::to_string(record)));
  EXPECT_EQ(checked.value().key_id,
            database_->scalar("SELECT key_id FROM audit_signing_keys WHERE node = 'test-node'"));
  EXPECT_FALSE(part_of(file, "LIENTHONG TREE PATH").first ==
               part_of(file, "LIENTHONG TREE PATH").second)
      << "the record shares its checkpoint with others: its path has steps";
  EXPECT_NE(file.find("message-id: \"evidence-1\""), std::string::npos) << file;
  // Pinned to another authority, the token is not accepted.
  const auto other = pinned("other-tsa-ca.crt");
  const auto refused = evidence::verify_evidence(file, &other);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().detail.rfind("timestamp token: against the pinned authority", 0), 0u)
      << refused.error().detail;

  // The third party's check, with openssl and sha256sum only.
  const auto by_hand = doc_check(write("exchange.evidence", file));
  EXPECT_EQ(by_hand.exit_code, 0) << by_hand.output;
  EXPECT_NE(by_hand.output.find("Signature Verified Successfully"), std::string::npos)
      << by_hand.output;
  EXPECT_NE(by_hand.output.find("Verification: OK"), std::string::npos) << by_hand.output;
  EXPECT_NE(by_hand.output.find("the request body matches"), std::string::npos) << by_hand.output;
  EXPECT_NE(by_hand.output.find("the response body matches"), std::string::npos) << by_hand.output;
  EXPECT_NE(by_hand.output.find("evidence holds"), std::string::npos) << by_hand.output;
  // ...which fails on a file changed in any part it checks.
  for (const std::string label :
       {"LIENTHONG RECORD", "LIENTHONG TREE PATH", "LIENTHONG CHECKPOINT",
        "LIENTHONG CHECKPOINT SIGNATURE", "PUBLIC KEY", "LIENTHONG TIMESTAMP BATCH",
        "LIENTHONG TIMESTAMP TOKEN", "LIENTHONG REQUEST BODY", "LIENTHONG RESPONSE BODY"}) {
    std::string changed = file;
    const auto [begin, end] = part_of(file, label);
    const auto at = begin + (end - begin) / 2;
    changed[at] = changed[at] == 'A' ? 'B' : 'A';
    const auto result = doc_check(write("changed.evidence", changed));
    EXPECT_NE(result.exit_code, 0) << label << " changed, and the doc's check passed:\n"
                                   << result.output;
  }
}

TEST_F(ExchangeEvidence, EveryByteOfTheFileChangedIsFoundAndTheFailingPartNamed) {
  const auto record = exchanged("evidence-2");
  const auto answer = evidence(record, token("auditor"));
  ASSERT_EQ(answer.status, 200) << answer.body;
  const std::string& file = answer.body;
  const auto trust = pinned();
  ASSERT_TRUE(evidence::verify_evidence(file, &trust).has_value());
  // Each part changed in its middle is reported as that part, or as the
  // check its change breaks first (a changed record no longer climbs the
  // tree; a changed key no longer verifies the signature).
  const std::vector<std::pair<std::string, std::vector<std::string>>> parts = {
      {"summary", {"the file"}},
      {"LIENTHONG RECORD", {"record", "tree path"}},
      {"LIENTHONG TREE PATH", {"tree path"}},
      {"LIENTHONG CHECKPOINT", {"checkpoint", "tree path", "checkpoint signature"}},
      {"LIENTHONG CHECKPOINT SIGNATURE", {"checkpoint signature"}},
      {"PUBLIC KEY", {"public key", "checkpoint signature"}},
      {"LIENTHONG TIMESTAMP BATCH", {"timestamp batch", "timestamp token"}},
      {"LIENTHONG TIMESTAMP TOKEN", {"timestamp token"}},
      {"CERTIFICATE", {"certificate", "timestamp token"}},
      {"LIENTHONG REQUEST BODY", {"request body"}},
      {"LIENTHONG RESPONSE BODY", {"response body"}}};
  for (const auto& [label, reported] : parts) {
    const auto [begin, end] = part_of(file, label);
    ASSERT_NE(begin, std::string::npos) << label;
    std::string changed = file;
    // A letter in the summary's values; a base64 digit in a part.
    std::size_t at = begin + (end - begin) / 2;
    while (!std::isalnum(static_cast<unsigned char>(changed[at])))
      ++at;
    changed[at] = changed[at] == 'A' ? 'B' : 'A';
    const auto result = evidence::verify_evidence(changed, &trust);
    ASSERT_FALSE(result.has_value()) << label;
    const std::string& detail = result.error().detail;
    EXPECT_TRUE(
        std::any_of(reported.begin(), reported.end(),
                    [&](const std::string& part) { return detail.rfind(part + ":", 0) == 0; }))
        << label << " changed: " << detail;
  }
  // And every single byte, changed to another, is found.
  std::size_t found = 0;
  for (std::size_t at = 0; at < file.size(); ++at) {
    std::string changed = file;
    changed[at] = static_cast<char>(changed[at] ^ 0x01);
    if (!evidence::verify_evidence(changed, &trust).has_value())
      ++found;
    else
      ADD_FAILURE() << "byte " << at << " changed and the file still verifies";
  }
  EXPECT_EQ(found, file.size());
  // Cut short, or with a byte more, it does not verify either.
  EXPECT_FALSE(evidence::verify_evidence(file.substr(0, file.size() - 1), &trust).has_value());
  EXPECT_FALSE(evidence::verify_evidence(file + "\n", &trust).has_value());

  // A spare bit of base64 (the last digit before "=" carries two unused
  // bits) decodes to the same bytes: in the node's public key, kept as
  // written, it must still be found. (Found by the loop above in a
  // fresh clone, whose new PKI happened to end a PEM that way.)
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto key_end = file.find("=\n-----END PUBLIC KEY-----");
  ASSERT_NE(key_end, std::string::npos);  // Ed25519's 44 DER bytes end in one "="
  std::string spare = file;
  spare[key_end - 1] = alphabet[alphabet.find(file[key_end - 1]) + 1];
  const auto key_begin = file.rfind("-----BEGIN PUBLIC KEY-----\n", key_end) + 27;
  const auto unfolded = [](std::string text) {
    std::erase(text, '\n');
    return base64_decode(text);
  };
  ASSERT_EQ(unfolded(spare.substr(key_begin, key_end + 1 - key_begin)),
            unfolded(file.substr(key_begin, key_end + 1 - key_begin)));
  const auto spared = evidence::verify_evidence(spare, &trust);
  ASSERT_FALSE(spared.has_value());
  EXPECT_NE(spared.error().detail.find("spare bit"), std::string::npos) << spared.error().detail;
}

// A hub whose authority cannot be reached when it starts: nothing is
// stamped until it can.
class ExchangeEvidenceFromAColdStart : public ExchangeEvidence {
 protected:
  void SetUp() override {
    available_->store(false);
    ExchangeEvidence::SetUp();
  }
};

TEST_F(ExchangeEvidenceFromAColdStart, CheckpointsSignedBeforeTheFirstTokenAreDatedToo) {
  const auto first = exchanged("cold-1");
  std::this_thread::sleep_for(1500ms);  // a checkpoint seals it...
  const auto second = exchanged("cold-2");
  std::this_thread::sleep_for(1500ms);  // ...and a later one the next
  const auto sealing = [&](std::int64_t record) {
    return database_->scalar(
        "SELECT min(c.seq) FROM audit_checkpoints c, audit_records r WHERE r.id = " +
        std::to_string(record) + " AND c.node = r.node AND c.seq >= r.seq");
  };
  ASSERT_NE(sealing(first), sealing(second));
  ASSERT_EQ(tokens_kept(), "0");
  // The authority is reached at last: the first token dates every
  // checkpoint so far, not only the newest (which left the first record
  // without evidence for good).
  available_->store(true);
  EXPECT_EQ(evidence(first, token("auditor")).status, 200);
  EXPECT_EQ(evidence(second, token("auditor")).status, 200);
}

TEST_F(ExchangeEvidence, IsScopedLikeTheAuditorApiAndWaitsForTheTimestamp) {
  // While the authority is down the record is sealed but not dated: 409,
  // saying so; once a token covers its checkpoint the file comes.
  available_->store(false);
  const auto record = exchanged("evidence-3");
  std::this_thread::sleep_for(1500ms);  // a checkpoint seals it meanwhile
  const auto early =
      admin(token("auditor")).get("/audit/v1/exchanges/" + std::to_string(record) + "/evidence");
  ASSERT_EQ(early.status, 409) << early.body;
  EXPECT_NE(early.body.find("no trusted timestamp yet"), std::string::npos) << early.body;
  available_->store(true);
  ASSERT_EQ(evidence(record, token("auditor")).status, 200);

  // A member's auditor gets its own member's exchanges, not another's.
  EXPECT_EQ(evidence(record, token("auditor", kConsumerMember)).status, 200);
  EXPECT_EQ(evidence(record, token("auditor", kProviderMember)).status, 200);
  const auto outsider = evidence(record, token("auditor", "VN/GOV/TEST.02"));
  EXPECT_EQ(outsider.status, 404) << outsider.body;
  EXPECT_EQ(evidence(record, token("member-admin", kConsumerMember)).status, 403);
  EXPECT_EQ(evidence(999'999'999, token("auditor")).status, 404);

  // The CLI writes the same file; verify-evidence checks it with and
  // without the authority's CA given, and fails on a changed one.
  const auto out = (dir_ / "cli.evidence").string();
  const auto written =
      run_lienthong("audit evidence " + std::to_string(record) + " --out " + out, database_->url(),
                    "LIENTHONG_AUDIT_TIMESTAMP_CA='" + pki_file("tsa-ca.crt") +
                        "' LIENTHONG_AUDIT_BODY_KEY='" + pki_file("audit-bodies.key") + "'");
  ASSERT_EQ(written.exit_code, 0) << written.output;
  const auto verified = run_lienthong(
      "audit verify-evidence " + out + " --tsa-ca " + pki_file("tsa-ca.crt"), database_->url());
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("VERIFIED: record"), std::string::npos) << verified.output;
  const auto other =
      run_lienthong("audit verify-evidence " + out + " --tsa-ca " + pki_file("other-tsa-ca.crt"),
                    database_->url());
  EXPECT_EQ(other.exit_code, 3) << other.output;
  EXPECT_NE(other.output.find("NOT VERIFIED: timestamp token"), std::string::npos) << other.output;
  const auto bare = run_lienthong(
      "audit evidence " + std::to_string(record) + " --without-bodies", database_->url(),
      "LIENTHONG_AUDIT_TIMESTAMP_CA='" + pki_file("tsa-ca.crt") + "' LIENTHONG_AUDIT_BODY_KEY='" +
          pki_file("audit-bodies.key") + "'");
  ASSERT_EQ(bare.exit_code, 0) << bare.output;
  EXPECT_EQ(bare.output.find("REQUEST BODY"), std::string::npos);
  EXPECT_NE(bare.output.find("bodies: none"), std::string::npos) << bare.output;
}

}  // namespace
}  // namespace lienthong::testing

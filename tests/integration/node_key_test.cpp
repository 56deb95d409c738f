// A node's checkpoint key kept in a PKCS#11 token (issue 24): generated
// inside SoftHSM2, signing the chain from there, and a rotation from a key
// file to the token that leaves the checkpoints signed before it verifiable.
#include <filesystem>
#include <regex>

#include <gtest/gtest.h>

#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"

#include "hub_process.hpp"
#include "softhsm_token.hpp"
#include "test_environment.hpp"
#include "writer_records.hpp"

namespace lienthong::testing {
namespace {

using namespace std::chrono;

class NodeKeyInAToken : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("lt-node-key-" + database_.name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // Records `first`.. of node "token-node", a checkpoint every two, signed
  // with `signing_key` (a file or a token URI); the writer seals on stop.
  void write(const std::string& signing_key, int first, int count) {
    audit::WriterOptions options;
    options.database_url = database_.url();
    options.node = "token-node";
    options.signing_key_path = signing_key;
    options.checkpoint_records = 2;
    std::vector<audit::AuditRecord> records;
    for (int n = first; n < first + count; ++n) {
      audit::AuditRecord r;
      r.message_id = "m-" + std::to_string(n);
      r.request_id = "r-" + std::to_string(n);
      r.method = "POST";
      r.path = "/exchange/v1/messages";
      r.status = 200;
      r.received_at = r.responded_at = system_clock::now();
      records.push_back(std::move(r));
    }
    ASSERT_EQ(commit_records(options, std::move(records)), count);
  }

  std::string verify(const std::string& arguments) {
    const auto result =
        run_lienthong("audit verify --node token-node " + arguments, database_.url());
    return std::to_string(result.exit_code) + " " + result.output;
  }

  TestDatabase database_;
  std::filesystem::path directory_;
};

TEST_F(NodeKeyInAToken, SignsTheChainAndARotationLeavesEarlierCheckpointsVerifiable) {
  const SoftHsmToken token("lienthong-node");
  const auto uri = token.uri("checkpoints");
  const auto file_key = (directory_ / "audit-signing.key").string();
  write(file_key, 1, 3);
  const auto file_key_id = audit::SigningKey::load_or_create(file_key).key_id();

  // A key the token does not hold is refused, not created behind the operator's back.
  EXPECT_THROW(audit::SigningKey::load_or_create(token.uri("no-such-key")), std::exception);
  const auto generated = run_lienthong("hsm generate-signing-key '" + uri + "'", "");
  ASSERT_EQ(generated.exit_code, 0) << generated.output;
  std::smatch id;
  ASSERT_TRUE(std::regex_search(generated.output, id, std::regex("key id ([0-9a-f]{64})")))
      << generated.output;
  const std::string token_key_id = id[1];
  EXPECT_EQ(audit::SigningKey::load_or_create(uri).key_id(), token_key_id);

  // Rotation: the node restarts with audit.signing_key set to the token's key.
  write(uri, 4, 3);
  EXPECT_EQ(database_.scalar("SELECT count(*) FROM audit_checkpoints WHERE node = 'token-node' "
                             "AND key_id = '" +
                             token_key_id + "' AND seq > 3"),
            "2");
  EXPECT_EQ(database_.scalar("SELECT count(*) FROM audit_signing_keys WHERE node = 'token-node'"),
            "2");

  // Both keys' checkpoints verify; trusting only the token's key fails the
  // ones the file key signed, so each key really signed its part.
  EXPECT_EQ(verify("").substr(0, 2), "0 ");
  EXPECT_EQ(verify("--trust " + file_key_id + " --trust " + token_key_id).substr(0, 2), "0 ");
  const auto token_only = verify("--trust " + token_key_id);
  EXPECT_EQ(token_only.substr(0, 2), "3 ") << token_only;
  EXPECT_NE(token_only.find(file_key_id.substr(0, 16)), std::string::npos) << token_only;
}

}  // namespace
}  // namespace lienthong::testing

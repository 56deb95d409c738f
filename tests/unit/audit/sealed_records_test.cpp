// A v2 checkpoint signs the tree of the records it seals: the chain check
// holds it to the records it followed.
#include <filesystem>

#include <gtest/gtest.h>

#include "lienthong/audit/records_tree.hpp"
#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"

#include "audit/chain_check.hpp"

namespace lienthong::audit {
namespace {

class SealedRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lt-sealed-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    key_ = std::make_unique<SigningKey>(SigningKey::load_or_create((dir_ / "node.key").string()));
    for (int seq = 1; seq <= 7; ++seq)
      links_.push_back(sha256_hex("record " + std::to_string(seq)));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Checkpoint checkpoint(std::int64_t seq, SealedRecords sealed) const {
    Checkpoint c{seq, seq, links_[seq - 1], 1'700'000'000'000'000, key_->key_id(), "", sealed};
    c.signature =
        key_->sign(checkpoint_message("node-a", seq, c.record_hash, c.signed_at_micros, c.sealed));
    return c;
  }

  // Follows records 1..7 with checkpoints at 3 (v1) and 7 (`at_seven`).
  ChainReport follow(const SealedRecords& at_seven, std::int64_t start = 0) const {
    std::map<std::int64_t, Checkpoint> checkpoints{{3, checkpoint(3, {})},
                                                   {7, checkpoint(7, at_seven)}};
    ChainCheck check("node-a", checkpoints, {{key_->key_id(), key_->public_key_pem()}}, {});
    check.start(start, start == 0 ? std::string(kGenesisHash) : links_[start - 1]);
    for (std::int64_t seq = start + 1; seq <= 7; ++seq)
      check.add_link(seq, seq, links_[seq - 1], links_[seq - 1]);
    check.finish(7);
    return check.report();
  }

  std::filesystem::path dir_;
  std::unique_ptr<SigningKey> key_;
  std::vector<std::string> links_;
};

TEST_F(SealedRecordsTest, TheRootOfTheRecordsSinceTheLastCheckpointHolds) {
  const SealedRecords right{4, tree_root({links_.begin() + 3, links_.end()})};
  const auto report = follow(right);
  EXPECT_FALSE(report.problem.has_value()) << report.problem->detail;
  EXPECT_EQ(report.checkpoints_checked, 2);
}

TEST_F(SealedRecordsTest, ASignedRootOverOtherRecordsIsFound) {
  // Signed by the node's own key, so only the tree can tell.
  const auto report = follow({4, tree_root({links_.begin() + 2, links_.end() - 1})});
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->kind, "checkpoint");
  EXPECT_NE(report.problem->detail.find("tree of records 4 to 7"), std::string::npos)
      << report.problem->detail;
  // A range that does not begin after the last checkpoint is found too.
  const auto shifted = follow({5, tree_root({links_.begin() + 4, links_.end()})});
  ASSERT_TRUE(shifted.problem.has_value());
}

TEST_F(SealedRecordsTest, ACheckThatBeginsAmidTheRecordsSkipsTheRootItCannotRebuild) {
  const auto report = follow({4, std::string(64, 'f')}, 5);
  EXPECT_FALSE(report.problem.has_value()) << report.problem->detail;
}

}  // namespace
}  // namespace lienthong::audit

// The witness file on its own: what append() writes, what last_seq() finds
// at the end of a long file, lines cut short, and names that are not safe
// as file names.
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_witness.hpp"

namespace lienthong::audit {
namespace {

namespace fs = std::filesystem;

class WitnessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("lt-witness-unit-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  static WitnessedCheckpoint checkpoint(std::string chain, std::int64_t seq) {
    return {std::move(chain),
            seq,
            std::string(64, seq == 0 ? '0' : 'a'),
            1'700'000'000'000'000,
            std::string(64, 'b'),
            "c2lnbmF0dXJl",
            {}};
  }

  static std::vector<std::string> lines_of(const fs::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
    return lines;
  }

  fs::path directory_;
};

TEST_F(WitnessLogTest, AppendsAHeaderThenOneLinePerCheckpointToEachChainsFile) {
  WitnessLog log(directory_, "hub-1");
  EXPECT_EQ(log.path("hub-1"), directory_ / "hub-1.witness.jsonl");
  EXPECT_EQ(log.path(kAdminChain), directory_ / "hub-1+admin-changes.witness.jsonl");
  EXPECT_EQ(log.last_seq("hub-1"), -1);
  log.append({checkpoint("hub-1", 0), checkpoint(std::string(kAdminChain), 0)});
  log.append({checkpoint("hub-1", 5)});
  EXPECT_EQ(log.last_seq("hub-1"), 5);
  EXPECT_EQ(log.last_seq(kAdminChain), 0);

  const auto lines = lines_of(log.path("hub-1"));
  ASSERT_EQ(lines.size(), 3u);
  const auto header = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(header["format"], "lienthong-audit-witness/1");
  EXPECT_EQ(header["node"], "hub-1");
  EXPECT_EQ(header["chain"], "hub-1");
  const auto last = nlohmann::json::parse(lines[2]);
  EXPECT_EQ(last["chain"], "hub-1");
  EXPECT_EQ(last["seq"], 5);
  EXPECT_EQ(last["signed_at"], "2023-11-14T22:13:20.000000Z");
  EXPECT_EQ(last["signed_at_micros"], 1'700'000'000'000'000);
  EXPECT_EQ(last["signature"], "c2lnbmF0dXJl");
  EXPECT_EQ(lines_of(log.path(kAdminChain)).size(), 2u);

  // A new process finds where each file ends.
  WitnessLog reopened(directory_, "hub-1");
  EXPECT_EQ(reopened.last_seq("hub-1"), 5);
  EXPECT_EQ(reopened.last_seq(kAdminChain), 0);
  const auto reading = read_witnesses(directory_);
  EXPECT_EQ(reading.files, 2u);
  EXPECT_EQ(reading.heads.size(), 3u);
  EXPECT_EQ(reading.unreadable_lines, 0u) << "headers are not counted";
}

// Years of checkpoints: only the file's end is read.
TEST_F(WitnessLogTest, FindsTheLastLineOfALongFile) {
  WitnessLog log(directory_, "hub-1");
  std::vector<WitnessedCheckpoint> many;
  for (int seq = 1; seq <= 5'000; ++seq)
    many.push_back(checkpoint("hub-1", seq));
  log.append(many);
  ASSERT_GT(fs::file_size(log.path("hub-1")), 4u * 64 * 1024) << "longer than two windows";
  WitnessLog reopened(directory_, "hub-1");
  EXPECT_EQ(reopened.last_seq("hub-1"), 5'000);
  EXPECT_EQ(reopened.last_seq(kAdminChain), -1);
}

// Before each chain had its own file, the node's file held the admin-change
// chain's checkpoints too: a later admin checkpoint there is not the node's
// (the writer took it for one and reported its records removed).
TEST_F(WitnessLogTest, AnotherChainsLinesInAChainsFileAreNotItsCheckpoints) {
  {
    std::ofstream file(directory_ / "hub-1.witness.jsonl");
    for (const auto& [chain, seq] :
         std::vector<std::pair<std::string, int>>{{"hub-1", 14}, {"admin-changes", 60}}) {
      file << nlohmann::json{{"chain", chain}, {"seq", seq}, {"record_hash", std::string(64, 'a')}}
                  .dump()
           << "\n";
    }
  }
  WitnessLog log(directory_, "hub-1");
  EXPECT_EQ(log.last_seq("hub-1"), 14);
}

TEST_F(WitnessLogTest, ALineCutShortIsSkippedAndTheNextStartsOnItsOwn) {
  WitnessLog log(directory_, "hub-1");
  log.append({checkpoint("hub-1", 5)});
  { std::ofstream(log.path("hub-1"), std::ios::app) << R"({"chain":"hub-1","seq":10,"record_ha)"; }
  WitnessLog reopened(directory_, "hub-1");
  EXPECT_EQ(reopened.last_seq("hub-1"), 5);
  reopened.append({checkpoint("hub-1", 10)});
  const auto reading = read_witnesses(directory_);
  EXPECT_EQ(reading.files, 1u);
  EXPECT_EQ(reading.unreadable_lines, 1u);
  ASSERT_EQ(reading.heads.size(), 2u);
  EXPECT_EQ(reading.heads[1].node, "hub-1");
  EXPECT_EQ(reading.heads[1].seq, 10);
  EXPECT_EQ(reading.heads[1].record_hash, std::string(64, 'a'));
}

// The directory may be shared: lines built to hurt the reader are only
// unreadable lines.
TEST_F(WitnessLogTest, HostileLinesAreUnreadableLinesNotACrash) {
  WitnessLog log(directory_, "hub-1");
  log.append({checkpoint("hub-1", 5)});
  {
    std::ofstream out(log.path("hub-1"), std::ios::app);
    out << std::string(1'000'000, '[') << "\n";
    out << R"({"chain":"hub-1","seq":6,"record_hash":")" << std::string(64, 'a')
        << R"(","x":[[[[1]]]]})"
        << "\n";
    out << R"({"chain":"hub-1","seq":7,"record_hash":")" << std::string(64, 'a') << R"(","pad":")"
        << std::string(10'000, 'p') << "\"}\n";
  }
  const auto reading = read_witnesses(directory_);
  EXPECT_EQ(reading.heads.size(), 1u);
  EXPECT_EQ(reading.unreadable_lines, 3u);
  EXPECT_EQ(WitnessLog(directory_, "hub-1").last_seq("hub-1"), 5);
}

// A read replica may not hold what was signed just before: left out, counted.
TEST_F(WitnessLogTest, CheckpointsSignedAfterAGivenTimeAreLeftOut) {
  WitnessLog log(directory_, "hub-1");
  auto late = checkpoint("hub-1", 10);
  late.signed_at_micros += 60'000'000;
  log.append({checkpoint("hub-1", 5), late});
  const auto at = from_micros(checkpoint("hub-1", 5).signed_at_micros) + std::chrono::seconds(1);
  const auto reading = read_witnesses(directory_, at);
  ASSERT_EQ(reading.heads.size(), 1u);
  EXPECT_EQ(reading.heads[0].seq, 5);
  EXPECT_EQ(reading.too_recent, 1u);
  EXPECT_EQ(read_witnesses(directory_).heads.size(), 2u);
}

TEST_F(WitnessLogTest, ANodeNameIsNeverAPathOutOfTheDirectory) {
  for (const std::string node : {"../../etc/passwd", "..", "hub 1/ä"}) {
    WitnessLog log(directory_, node);
    EXPECT_EQ(log.path(node).parent_path(), directory_) << node;
    log.append({checkpoint(node, 1)});
    EXPECT_TRUE(fs::exists(log.path(node))) << node;
  }
  EXPECT_EQ(WitnessLog(directory_, "..").path("..").filename(), "%2E..witness.jsonl");
  EXPECT_EQ(WitnessLog(directory_, "hub 1/ä").path("hub 1/ä").filename(),
            "hub%201%2F%C3%A4.witness.jsonl");
  // No node's own file is another node's admin-change file.
  EXPECT_NE(WitnessLog(directory_, "a+admin-changes").path("a+admin-changes"),
            WitnessLog(directory_, "a").path(kAdminChain));
  const auto reading = read_witnesses(directory_);
  EXPECT_EQ(reading.files, 3u);
  EXPECT_EQ(reading.heads.size(), 3u);
}

// The hub never creates the directory: a volume that did not mount must
// not quietly become a directory on the root volume.
TEST_F(WitnessLogTest, AMissingDirectoryIsAnErrorNotCreated) {
  const auto missing = directory_ / "not-mounted";
  WitnessLog log(missing, "hub-1");
  try {
    log.append({checkpoint("hub-1", 1)});
    ADD_FAILURE() << "append into a missing directory succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not-mounted"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_EQ(log.last_seq("hub-1"), -1) << "nothing counts as published";
  EXPECT_THROW(read_witnesses(missing), std::runtime_error);
}

}  // namespace
}  // namespace lienthong::audit

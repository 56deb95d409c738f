// Retention of the audit log by month: `lienthong audit archive` moves a
// past month into an NDJSON file that verifies offline, drops its
// partition, and the chain in the database continues after it. The writer
// runs on a test clock so that its records fall into past months.
#include "lienthong/audit/audit_archive.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_verifier.hpp"
#include "lienthong/audit/audit_witness.hpp"
#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/core/digest.hpp"

#include "audit_report.hpp"
#include "hub_process.hpp"
#include "test_environment.hpp"

namespace lienthong::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono;
using audit::TimePoint;

class AuditArchive : public ::testing::Test {
 protected:
  // Two whole months in the past: `old_` is archived, `later_` stays.
  // Months are UTC calendar months: never computed a moment before one ends.
  const year_month now_ = (avoid_utc_midnight(), audit::utc_month(system_clock::now()));
  const year_month old_ = now_ - months{3};
  const year_month later_ = now_ - months{2};
  static constexpr int kOld = 7;
  static constexpr int kLater = 5;

  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("lt-archive-" + database_.name());
    std::filesystem::remove_all(directory_);
    write_records(old_, 1, kOld);
    write_records(later_, kOld + 1, kLater);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // `count` records committed on a clock in the middle of `month`; the
  // writer stops afterwards, which seals its chain.
  void write_records(year_month month, int first, int count) {
    audit::WriterOptions options;
    options.database_url = database_.url();
    options.node = "archive-node";
    options.signing_key_path = (directory_ / "signing.key").string();
    options.checkpoint_records = 3;
    options.checkpoint_interval = hours(1);
    options.witness_dir = witness_dir().string();
    const TimePoint clock = audit::month_start(month) + days(9) + hours(12);
    options.clock = [clock] { return clock; };
    std::filesystem::create_directories(witness_dir());
    audit::AuditWriter writer(
        options, std::make_shared<spdlog::logger>("archive-test",
                                                  std::make_shared<spdlog::sinks::null_sink_mt>()));
    asio::io_context io;
    int committed = 0;
    auto commit_all = [&]() -> asio::awaitable<void> {
      for (int n = first; n < first + count; ++n) {
        const auto status = co_await writer.commit(record(n, clock));
        committed += status.has_value() ? 1 : 0;
      }
    };
    asio::co_spawn(io, commit_all, asio::detached);
    io.run();
    ASSERT_EQ(committed, count);
  }

  static audit::AuditRecord record(int n, TimePoint at) {
    audit::AuditRecord r;
    r.message_id = "m-" + std::to_string(n);
    r.request_id = "r-" + std::to_string(n);
    r.consumer = "VN/GOV/000.00.00.G01/CONSUMER";
    r.provider = "VN/GOV/000.00.00.G02/PROVIDER";
    r.service = "lookup";
    r.method = "POST";
    r.path = "/exchange/v1/messages";
    r.purpose = "test";
    r.status = 200;
    r.request_body = "{\"n\":" + std::to_string(n) + "}";  // kept, as with audit_bodies = full
    r.request_sha256 = sha256_hex(*r.request_body);
    r.request_bytes = static_cast<std::int64_t>(r.request_body->size());
    r.response_sha256 = sha256_hex("");
    r.received_at = at;
    r.responded_at = at + milliseconds(3);
    if (n % 3 == 0) {  // one record in three crossed peer hubs (the v2 encoding)
      r.upstream_instance = "VN-HN";
      r.upstream_assertion = "header.claims.in" + std::to_string(n);
      r.downstream_instance = "VN-HCM";
      r.downstream_assertion = "header.claims.out" + std::to_string(n);
      r.downstream_request_id = "peer-r-" + std::to_string(n);
      r.downstream_record_hash = sha256_hex("peer record " + std::to_string(n));
    }
    return r;
  }

  std::string partition(year_month month) const {
    const auto text = audit::month_text(month);
    return "audit_records_" + text.substr(0, 4) + "_" + text.substr(5, 2);
  }
  bool partition_exists(year_month month) const {
    return database_.scalar("SELECT to_regclass('" + partition(month) + "') IS NOT NULL") == "t";
  }

  CommandResult archive(year_month month) const {
    return run_lienthong(
        "audit archive --month " + audit::month_text(month) + " --dir " + directory_.string(),
        database_.url());
  }
  std::filesystem::path witness_dir() const { return directory_ / "witness"; }
  std::filesystem::path archive_file(year_month month) const {
    return directory_ / ("audit-" + audit::month_text(month) + ".ndjson");
  }

  audit::VerifyReport verify_database() const {
    pqxx::connection connection(database_.url());
    pqxx::read_transaction tx(connection);
    return audit::verify_audit_log(tx, {});
  }

  // Rewrites the archive file, passing each line through `edit` (empty drops it).
  void edit_file(const std::filesystem::path& file,
                 const std::function<std::string(std::string)>& edit) const {
    std::ifstream in(file);
    std::stringstream out;
    for (std::string line; std::getline(in, line);) {
      if (auto edited = edit(line); !edited.empty())
        out << edited << "\n";
    }
    in.close();
    std::ofstream(file, std::ios::trunc) << out.str();
  }

  TestDatabase database_;
  std::filesystem::path directory_;
};

TEST_F(AuditArchive, AMonthMovesToAFileThatVerifiesOfflineAndTheChainContinues) {
  EXPECT_TRUE(partition_exists(old_));
  EXPECT_TRUE(partition_exists(old_ + months{2})) << "partitions are created ahead";

  // The later month cannot go first: the chain would have a hole.
  const auto out_of_order = archive(later_);
  EXPECT_EQ(out_of_order.exit_code, 1) << out_of_order.output;
  EXPECT_NE(out_of_order.output.find("archive the oldest month first"), std::string::npos)
      << out_of_order.output;

  const auto archived = archive(old_);
  ASSERT_EQ(archived.exit_code, 0) << archived.output;
  EXPECT_FALSE(partition_exists(old_)) << "the archived month's partition is dropped";
  // Its days were rolled up for the connectivity index before the records left.
  const std::string first_day = "'" + audit::month_text(old_) + "-01'::date";
  EXPECT_EQ(database_.scalar("SELECT count(*) FROM audit_traffic_days_done WHERE day >= " +
                             first_day + " AND day < " + first_day + " + interval '1 month'"),
            database_.scalar("SELECT extract(day FROM " + first_day +
                             " + interval '1 month' - interval '1 day')::int"));
  EXPECT_FALSE(std::filesystem::exists(archive_file(old_).string() + ".partial"));
  EXPECT_EQ(database_.scalar("SELECT count(*) FROM audit_records"), std::to_string(kLater));
  EXPECT_EQ(database_.scalar("SELECT first_seq || '..' || last_seq FROM audit_archives"),
            "1.." + std::to_string(kOld));
  EXPECT_EQ(database_.scalar("SELECT file_sha256 FROM audit_archives"), sha256_hex([&] {
              std::ifstream in(archive_file(old_));
              return std::string(std::istreambuf_iterator<char>(in), {});
            }()));

  // Offline: the file alone.
  const auto offline = audit::verify_archive_file(archive_file(old_), {});
  ASSERT_TRUE(offline.ok()) << audit::report_json(offline).dump(2);
  ASSERT_EQ(offline.chains.size(), 1u);
  EXPECT_EQ(offline.chains[0].records_checked, kOld);
  EXPECT_EQ(offline.chains[0].unsealed_records, 0) << "the month's last record is sealed";
  const auto cli = run_lienthong("audit verify-archive " + archive_file(old_).string(), "");
  EXPECT_EQ(cli.exit_code, 0) << cli.output;

  // The database's chain continues after the archived records...
  auto report = verify_database();
  ASSERT_TRUE(report.ok()) << audit::report_json(report).dump(2);
  EXPECT_EQ(chain_named(report, "archive-node").archived_to_seq, kOld);
  EXPECT_EQ(chain_named(report, "archive-node").from_seq, kOld + 1);
  EXPECT_EQ(chain_named(report, "archive-node").records_checked, kLater);
  // ...and so does its writer.
  write_records(later_, kOld + kLater + 1, 1);
  EXPECT_EQ(database_.scalar("SELECT max(seq) FROM audit_records"),
            std::to_string(kOld + kLater + 1));
  report = verify_database();
  EXPECT_TRUE(report.ok()) << audit::report_json(report).dump(2);

  // A forged archive row (its last link) is caught by the checkpoint that sealed the month.
  database_.execute(
      "ALTER TABLE audit_archives DISABLE TRIGGER USER;"
      "UPDATE audit_archives SET last_hash = repeat('e', 64);"
      "ALTER TABLE audit_archives ENABLE TRIGGER USER");
  report = verify_database();
  ASSERT_FALSE(report.ok());
  const auto forged = chain_named(report, "archive-node").problem.value_or(audit::ChainProblem{});
  EXPECT_EQ(forged.kind, "checkpoint");
  EXPECT_EQ(forged.seq, kOld);

  // Nothing twice, nothing current.
  EXPECT_EQ(archive(old_).exit_code, 1);
  const auto current = archive(now_);
  EXPECT_EQ(current.exit_code, 1);
  EXPECT_NE(current.output.find("not over yet"), std::string::npos) << current.output;
}

// The database verifier only counts witnessed checkpoints that lie in
// archived records; the archive file is held to them offline.
TEST_F(AuditArchive, TheWitnessHoldsTheArchiveFileOffline) {
  ASSERT_EQ(archive(old_).exit_code, 0);
  const auto witnessed = audit::read_witnesses(witness_dir()).heads;
  audit::VerifyOptions options;
  options.witnessed_heads = witnessed;
  pqxx::connection connection(database_.url());
  pqxx::read_transaction tx(connection);
  const auto online = audit::verify_audit_log(tx, options);
  ASSERT_TRUE(online.ok()) << audit::report_json(online).dump(2);
  EXPECT_EQ(chain_named(online, "archive-node").witnessed_archived, 2) << "checkpoints 3 and 6";

  const auto offline = audit::verify_archive_file(archive_file(old_), {}, witnessed);
  ASSERT_TRUE(offline.ok()) << audit::report_json(offline).dump(2);
  EXPECT_EQ(chain_named(offline, "archive-node").witnessed_checked, 3) << "3, 6 and 7";
  const auto cli = run_lienthong("audit verify-archive " + archive_file(old_).string() +
                                     " --witness " + witness_dir().string(),
                                 "");
  EXPECT_EQ(cli.exit_code, 0) << cli.output;

  // A month rewritten before it was archived (its checkpoints re-signed by
  // someone holding the key) still verifies alone, not against the witness.
  auto other = witnessed;
  for (auto& head : other) {
    if (head.node == "archive-node" && head.seq == 6)
      head.record_hash = std::string(64, 'e');
  }
  const auto rewritten = audit::verify_archive_file(archive_file(old_), {}, other);
  ASSERT_FALSE(rewritten.ok());
  const auto problem =
      chain_named(rewritten, "archive-node").problem.value_or(audit::ChainProblem{});
  EXPECT_EQ(problem.kind, "altered");
  EXPECT_EQ(problem.seq, 6);
}

TEST_F(AuditArchive, TamperingWithTheFileIsLocated) {
  ASSERT_EQ(archive(old_).exit_code, 0);
  const auto file = archive_file(old_);
  const auto pristine = [&] {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  const auto restore = [&] { std::ofstream(file, std::ios::trunc) << pristine; };
  const auto record_seq = [](const std::string& line) -> std::int64_t {
    const auto json = nlohmann::json::parse(line);
    return json["type"] == "record" ? json["seq"].get<std::int64_t>() : 0;
  };
  const auto problem = [&]() {
    const auto report = audit::verify_archive_file(file, {});
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(report.chains.size(), 1u);
    EXPECT_TRUE(chain_named(report, "archive-node").problem.has_value());
    return chain_named(report, "archive-node").problem.value_or(audit::ChainProblem{});
  };

  edit_file(file, [&](std::string line) {
    if (record_seq(line) == 4) {
      auto json = nlohmann::json::parse(line);
      json["purpose"] = "marketing";
      return json.dump();
    }
    return line;
  });
  auto found = problem();
  EXPECT_EQ(found.kind, "altered");
  EXPECT_EQ(found.seq, 4);

  restore();
  edit_file(file, [&](std::string line) {
    if (record_seq(line) == 3) {  // another hub's receipt replaced
      auto json = nlohmann::json::parse(line);
      EXPECT_EQ(json["upstream_instance"], "VN-HN");
      json["downstream_record_hash"] = sha256_hex("another record");
      return json.dump();
    }
    return line;
  });
  found = problem();
  EXPECT_EQ(found.kind, "altered");
  EXPECT_EQ(found.seq, 3);

  // A file written before federation has no peer fields; its records still verify.
  restore();
  edit_file(file, [&](std::string line) {
    if (record_seq(line) == 1) {
      auto json = nlohmann::json::parse(line);
      for (const char* name : audit::kPeerColumns)
        json.erase(name);
      return json.dump();
    }
    return line;
  });
  EXPECT_TRUE(audit::verify_archive_file(file, {}).ok());

  restore();
  edit_file(file, [&](std::string line) {
    if (record_seq(line) == 2) {  // a kept body changed, its SHA-256 left alone
      auto json = nlohmann::json::parse(line);
      json["request_body_base64"] = base64_encode("{\"n\":99}");
      return json.dump();
    }
    return line;
  });
  found = problem();
  EXPECT_EQ(found.kind, "altered");
  EXPECT_EQ(found.seq, 2);

  restore();
  edit_file(file, [&](std::string line) { return record_seq(line) == 5 ? "" : line; });
  found = problem();
  EXPECT_EQ(found.kind, "missing");
  EXPECT_EQ(found.seq, 5);

  restore();
  edit_file(file, [&](std::string line) { return record_seq(line) >= 6 ? "" : line; });
  found = problem();
  EXPECT_EQ(found.kind, "truncated");
  EXPECT_EQ(found.seq, 6);

  const auto cli = run_lienthong("audit verify-archive --json " + file.string(), "");
  EXPECT_EQ(cli.exit_code, 3) << cli.output;

  std::ofstream(file, std::ios::trunc) << "not an archive\n";
  EXPECT_THROW(audit::verify_archive_file(file, {}), std::runtime_error);
}

TEST_F(AuditArchive, AChainThatDoesNotVerifyIsNotArchived) {
  database_.execute(
      "ALTER TABLE audit_records DISABLE TRIGGER USER;"
      "UPDATE audit_records SET user_id = 'someone' WHERE seq = 3;"
      "ALTER TABLE audit_records ENABLE TRIGGER USER");
  const auto refused = archive(old_);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("does not verify"), std::string::npos) << refused.output;
  EXPECT_TRUE(partition_exists(old_)) << "nothing is dropped";
  EXPECT_FALSE(std::filesystem::exists(archive_file(old_)));
  EXPECT_FALSE(std::filesystem::exists(archive_file(old_).string() + ".partial"))
      << "no partial file is left";
  EXPECT_EQ(database_.scalar("SELECT count(*) FROM audit_archives"), "0");
}

}  // namespace
}  // namespace lienthong::testing

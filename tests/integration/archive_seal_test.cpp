// An archived month keeps its evidence (issue 24): the file carries the
// trusted timestamps of its checkpoints, and the authority seals the file
// itself (FILE.tsr, a token over its SHA-256) before the month is dropped;
// verify-archive checks both, and a month that cannot be sealed stays.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/evidence/timestamper.hpp"

#include "hub_process.hpp"
#include "timestamped_hub_fixture.hpp"
#include "writer_records.hpp"

namespace lienthong::testing {
namespace {

using namespace std::chrono;

class ArchiveSeal : public TimestampedHubFixture {
 protected:
  void SetUp() override {
    TimestampedHubFixture::SetUp();
    directory_ = std::filesystem::temp_directory_path() / ("lt-archive-seal-" + database_->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override {
    std::filesystem::remove_all(directory_);
    TimestampedHubFixture::TearDown();
  }

  std::shared_ptr<spdlog::logger> quiet() const {
    return std::make_shared<spdlog::logger>("seal",
                                            std::make_shared<spdlog::sinks::null_sink_mt>());
  }

  // Records of node "past-node" in `month`, a checkpoint every two, then
  // that node's checkpoints stamped by the authority.
  void write_stamped_month(year_month month, int count) {
    audit::WriterOptions options;
    options.database_url = database_->url();
    options.node = "past-node";
    options.signing_key_path = (directory_ / "signing.key").string();
    options.checkpoint_records = 2;
    const auto at = audit::month_start(month) + days(3) + hours(8);
    options.clock = [at] { return at; };
    std::vector<audit::AuditRecord> records;
    for (int n = 1; n <= count; ++n) {
      audit::AuditRecord r;
      r.message_id = "sealed-" + std::to_string(n);
      r.request_id = "sealed-request-" + std::to_string(n);
      r.method = "POST";
      r.path = "/exchange/v1/messages";
      r.status = 200;
      r.received_at = r.responded_at = at;
      records.push_back(std::move(r));
    }
    ASSERT_EQ(commit_records(options, std::move(records)), count);
    auto stamper = evidence::Timestamper::create(
        {database_->url(), "past-node", tsa_->url() + "/", read_pki("tsa-ca.crt"), seconds(60)},
        std::make_shared<audit::TimestampHealth>(hours(1)), quiet());
    ASSERT_TRUE(stamper.has_value()) << stamper.error().detail;
    const auto stamped = stamper.value()->stamp_newest();
    ASSERT_TRUE(stamped.has_value()) << stamped.error().detail;
    ASSERT_GE(stamped.value(), 1);
  }

  CommandResult archive(const std::string& month) const {
    return run_lienthong("audit archive --month " + month + " --dir " + directory_.string(),
                         database_->url(),
                         "LIENTHONG_AUDIT_TIMESTAMP_URL='" + tsa_->url() +
                             "/' LIENTHONG_AUDIT_TIMESTAMP_CA='" + pki_file("tsa-ca.crt") + "'");
  }
  CommandResult verify(const std::filesystem::path& file, const std::string& ca,
                       const std::string& more = "") const {
    return run_lienthong(
        "audit verify-archive " + file.string() + " --tsa-ca " + pki_file(ca) + " " + more,
        database_->url());
  }

  std::filesystem::path directory_;
};

TEST_F(ArchiveSeal, TheFileCarriesItsTokensAndTheAuthoritySealsItBeforeTheMonthIsDropped) {
  const auto month_value =
      (avoid_utc_midnight(), audit::utc_month(system_clock::now())) - months{2};
  const auto month = audit::month_text(month_value);
  write_stamped_month(month_value, 5);
  const auto records = [&] {
    return database_->scalar("SELECT count(*) FROM audit_records WHERE node = 'past-node'");
  };
  ASSERT_EQ(records(), "5");

  // The authority down: no seal, so nothing is dropped and no file is left.
  available_->store(false);
  const auto refused = archive(month);
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_NE(refused.output.find("did not seal the file"), std::string::npos) << refused.output;
  EXPECT_EQ(records(), "5");
  const auto file = directory_ / ("audit-" + month + ".ndjson");
  EXPECT_FALSE(std::filesystem::exists(file));

  available_->store(true);
  const auto archived = archive(month);
  ASSERT_EQ(archived.exit_code, 0) << archived.output;
  EXPECT_EQ(records(), "0");
  const std::filesystem::path seal = file.string() + ".tsr";
  ASSERT_TRUE(std::filesystem::exists(seal));
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_archives WHERE node = 'past-node' AND "
                              "seal_token IS NOT NULL"),
            "1");
  EXPECT_NE(read_text(file).find("\"type\":\"timestamp\""), std::string::npos);

  // verify-archive checks the tokens in the file and the seal on it.
  const auto verified = verify(file, "tsa-ca.crt", "--json");
  ASSERT_EQ(verified.exit_code, 0) << verified.output;
  const auto report = nlohmann::json::parse(verified.output);
  EXPECT_EQ(report["seal"]["ok"], true) << verified.output;
  bool tokens_checked = false;
  for (const auto& chain : report["chains"])
    tokens_checked = tokens_checked || chain["timestamps_checked"].get<int>() > 0;
  EXPECT_TRUE(tokens_checked) << verified.output;

  // OpenSSL alone checks the seal too (docs/operations.md).
  const auto openssl = [&](const std::filesystem::path& data) {
    return std::system(("openssl ts -verify -data '" + data.string() + "' -in '" + seal.string() +
                        "' -token_in -CAfile '" + pki_file("tsa-ca.crt") + "' >/dev/null 2>&1")
                           .c_str());
  };
  EXPECT_EQ(openssl(file), 0);

  // Another authority's CA holds neither.
  EXPECT_EQ(verify(file, "other-tsa-ca.crt").exit_code, 3);

  // A change no chain covers (the header's creation time) breaks the seal.
  auto text = read_text(file);
  const auto created = text.find("\"created_at\":\"") + 14;
  text[created + 3] = text[created + 3] == '9' ? '8' : '9';
  const auto changed = directory_ / ("changed-" + file.filename().string());
  std::ofstream(changed, std::ios::binary) << text;
  std::filesystem::copy_file(seal, changed.string() + ".tsr");
  EXPECT_NE(openssl(changed), 0);
  const auto broken = verify(changed, "tsa-ca.crt");
  EXPECT_EQ(broken.exit_code, 3) << broken.output;
  EXPECT_NE(broken.output.find("does not hold for this file"), std::string::npos) << broken.output;
  // ...while the chains in it still verify: only the seal catches it.
  const auto unsealed = run_lienthong("audit verify-archive " + changed.string(), database_->url());
  EXPECT_EQ(unsealed.exit_code, 0) << unsealed.output;
}

}  // namespace
}  // namespace lienthong::testing

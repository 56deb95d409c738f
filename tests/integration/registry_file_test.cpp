// Declarative registry files: apply creates and updates to match, dry runs
// change nothing, prune disables or revokes what the file lacks, export
// round-trips, and one bad entry rolls the whole file back.
#include "lienthong/admin/registry_file.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class RegistryFile : public AdminFixture {
 protected:
  json file() const {
    return {{"members",
             {{{"instance", "VN"},
               {"class", "GOV"},
               {"code", "000.00.00.G12"},
               {"name", "Bộ Tư pháp"}}}},
            {"systems",
             {{{"member", "VN/GOV/000.00.00.G12"},
               {"code", "HOTICH"},
               {"name", "Civil status"},
               {"base_url", "http://127.0.0.1:" + std::to_string(provider_->port()) + "/api"}}}},
            {"json_schemas",
             {{{"name", "birth-request"}, {"version", "1"}, {"document", {{"type", "object"}}}}}},
            {"services",
             {{{"system", "VN/GOV/000.00.00.G12/HOTICH"},
               {"code", "birth-record"},
               {"version", "v1"},
               {"name", "Birth record"},
               {"provider_path", "/echo"},
               {"request_schema", "birth-request/1"}}}},
            {"credentials",
             {{{"system", kOther}, {"certificate_file", pki_dir() + "/TEST-UNREGISTERED.crt"}}}},
            {"agreements",
             {{{"consumer", kOther},
               {"provider", "VN/GOV/000.00.00.G12/HOTICH"},
               {"service_code", "birth-record"},
               {"purpose", "civil status check"},
               {"legal_basis", "Luật Hộ tịch 2014"},
               {"status", "approved"}}}}};
  }

  Result<admin::ApplyReport> apply(const json& document, bool dry_run = false,
                                   bool prune = false) const {
    admin::ApplyOptions options;
    options.dry_run = dry_run;
    options.prune = prune;
    options.actor = "registry-file test";
    return admin::apply_registry(database_->url(), document.dump(), options);
  }

  static bool contains(const admin::ApplyReport& report, const std::string& line) {
    return std::find(report.begin(), report.end(), line) != report.end();
  }

  std::string registry_counts() const {
    return database_->scalar(
        "SELECT concat_ws(',', (SELECT count(*) FROM members), (SELECT count(*) FROM systems), "
        "(SELECT count(*) FROM services), (SELECT count(*) FROM credentials), "
        "(SELECT count(*) FROM agreements), (SELECT count(*) FROM json_schemas), "
        "(SELECT count(*) FROM admin_changes))");
  }
};

TEST_F(RegistryFile, DryRunReportsAndChangesNothing) {
  const auto before = registry_counts();
  const auto report = apply(file(), /*dry_run=*/true);
  ASSERT_TRUE(report.has_value()) << report.error().detail;
  EXPECT_TRUE(contains(report.value(), "+ systems VN/GOV/000.00.00.G12/HOTICH"));
  EXPECT_TRUE(contains(report.value(),
                       std::string("~ agreements ") + kOther +
                           " -> VN/GOV/000.00.00.G12/HOTICH/birth-record: requested -> approved"));
  EXPECT_EQ(registry_counts(), before);
}

TEST_F(RegistryFile, ApplyMakesTheNewSystemCallableAndIsIdempotent) {
  const auto report = apply(file());
  ASSERT_TRUE(report.has_value()) << report.error().detail;
  EXPECT_EQ(report.value().size(), 7u);  // six creations and one approval

  // Through the hub: TEST-OTHER now also holds TEST-UNREGISTERED's certificate.
  bool answered = false;
  for (int attempt = 0; attempt < 40 && !answered; ++attempt) {
    auto caller = client("TEST-UNREGISTERED");
    const auto response = caller.post(
        "/exchange/v1/messages",
        R"({"header":{"id":"file-)" + std::to_string(attempt) + R"(","from":")" + kOther +
            R"(","to":"VN/GOV/000.00.00.G12/HOTICH","service":"birth-record","version":"v1",)"
            R"("purpose":"check"},"body":{}})");
    answered = response.status == 200;
    if (!answered)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(answered);

  const auto again = apply(file());
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again.value().empty()) << again.value().front();

  auto changed = file();
  changed["systems"][0]["name"] = "Civil status registry";
  const auto update = apply(changed);
  ASSERT_TRUE(update.has_value());
  EXPECT_EQ(update.value(), admin::ApplyReport{"~ systems VN/GOV/000.00.00.G12/HOTICH: name"});
}

TEST_F(RegistryFile, ExportRoundTripsThroughApply) {
  ASSERT_TRUE(apply(file()).has_value());
  const auto exported = admin::export_registry(database_->url());
  ASSERT_TRUE(exported.has_value());
  const auto document = json::parse(exported.value());
  EXPECT_EQ(document["systems"].size(), 5u);
  EXPECT_EQ(document["agreements"].size(), 8u);  // 7 from the fixture, 1 from the file

  const auto replay = apply(document, /*dry_run=*/true, /*prune=*/true);
  ASSERT_TRUE(replay.has_value()) << replay.error().detail;
  EXPECT_TRUE(replay.value().empty()) << replay.value().front();
  EXPECT_EQ(admin::export_registry(database_->url()).value(), exported.value());
}

TEST_F(RegistryFile, PruneDisablesAndRevokesWhatTheFileLacks) {
  ASSERT_TRUE(apply(file()).has_value());
  auto smaller = json::parse(admin::export_registry(database_->url()).value());
  auto& systems = smaller["systems"];
  systems.erase(std::remove_if(systems.begin(), systems.end(),
                               [](const json& s) { return s["code"] == "TEST-DEAD"; }),
                systems.end());
  auto& agreements = smaller["agreements"];
  agreements.erase(std::remove_if(agreements.begin(), agreements.end(),
                                  [](const json& a) { return a["service_code"] == "slow"; }),
                   agreements.end());
  const auto report = apply(smaller, false, /*prune=*/true);
  ASSERT_TRUE(report.has_value()) << report.error().detail;
  EXPECT_TRUE(contains(report.value(), std::string("- systems ") + kDeadProvider + " (disabled)"));
  EXPECT_EQ(database_->scalar("SELECT status FROM systems WHERE system_code = 'TEST-DEAD'"),
            "disabled");
  EXPECT_EQ(database_->scalar("SELECT status FROM agreements WHERE service_code = 'slow'"),
            "revoked");
}

TEST_F(RegistryFile, YamlFilesApplyAndExportLikeJson) {
  const std::string yaml = R"(# Ministry of Justice joins with its civil-status system
members:
  - instance: VN
    class: GOV
    code: 000.00.00.G12
    name: Bộ Tư pháp
systems:
  - member: VN/GOV/000.00.00.G12
    code: HOTICH
    name: "Civil status: births, marriages, deaths"
    status: active
json_schemas:
  - name: birth-request
    version: "1"
    document: {type: object, required: [idNumber]}
)";
  const auto report = admin::apply_registry(database_->url(), yaml, {});
  ASSERT_TRUE(report.has_value()) << report.error().detail;
  EXPECT_TRUE(contains(report.value(), "+ systems VN/GOV/000.00.00.G12/HOTICH"));
  EXPECT_EQ(database_->scalar("SELECT name FROM systems WHERE system_code = 'HOTICH'"),
            "Civil status: births, marriages, deaths");
  EXPECT_EQ(database_->scalar("SELECT document::text FROM json_schemas"),
            R"({"type": "object", "required": ["idNumber"]})");

  // Export as YAML, apply it back: nothing to change. Version "1" stays a string.
  const auto exported = admin::export_registry(database_->url(), admin::ExportFormat::kYaml);
  ASSERT_TRUE(exported.has_value());
  EXPECT_NE(exported.value().find("version: \"1\""), std::string::npos) << exported.value();
  admin::ApplyOptions dry_run;
  dry_run.dry_run = true;
  dry_run.prune = true;
  const auto replay = admin::apply_registry(database_->url(), exported.value(), dry_run);
  ASSERT_TRUE(replay.has_value()) << replay.error().detail;
  EXPECT_TRUE(replay.value().empty()) << replay.value().front();

  const auto unquoted = admin::apply_registry(
      database_->url(), "json_schemas:\n  - {name: x, version: 2, document: {}}\n", {});
  ASSERT_FALSE(unquoted.has_value());
  EXPECT_EQ(unquoted.error().fields.at(0).pointer, "/json_schemas/0/version");
  EXPECT_FALSE(admin::apply_registry(database_->url(), "members: [unclosed", {}).has_value());
}

TEST_F(RegistryFile, OneBadEntryChangesNothingAndIsNamed) {
  const auto before = registry_counts();
  auto broken = file();
  broken["services"][0]["timeout_ms"] = -5;
  const auto report = apply(broken);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kClientInvalidInput);
  ASSERT_FALSE(report.error().fields.empty());
  EXPECT_EQ(report.error().fields[0].pointer, "/services/0/timeout_ms");
  EXPECT_EQ(registry_counts(), before);

  EXPECT_FALSE(apply(json{{"sistems", json::array()}}).has_value());
  auto mistyped = file();
  mistyped["systems"][0]["code"] = 5;
  mistyped["agreements"][0]["status"] = true;
  EXPECT_FALSE(apply(mistyped).has_value());
  EXPECT_EQ(registry_counts(), before);
  EXPECT_FALSE(admin::apply_registry(database_->url(), "{not json", {}).has_value());
}

}  // namespace
}  // namespace lienthong::testing

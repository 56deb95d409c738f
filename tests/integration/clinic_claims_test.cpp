// The claims network under a bounded load with a fault: clinics, each with
// its own certificate from the clinic-network generator, submit claims
// asynchronously while the social-insurance claims system (a separate
// process, keeping accepted claims in its journal) is killed with SIGKILL
// and started again. Every claim is then delivered and takes effect exactly
// once at the claims system, and every submission and delivery is audited.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "lienthong/admin/registry_file.hpp"
#include "lienthong/demo/clinic_network.hpp"

#include "demo_provider_process.hpp"
#include "hub_process.hpp"
#include "national_demo_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::uint32_t kClinics = 40;
constexpr int kClaimsPerClinic = 15;
constexpr int kClaimCount = kClinics * kClaimsPerClinic;
constexpr int kSenders = 8;

class ClinicClaims : public NationalDemoFixture {
 protected:
  void configure(Config& config) override {
    NationalDemoFixture::configure(config);
    config.async.backoff_max_ms = 300;
    config.async.max_attempts = 50;  // the outage must not make anything dead
    config.provider.breaker_cooldown_ms = 200;
  }

  void SetUp() override {
    NationalDemoFixture::SetUp();
    directory_ = pki_dir() + "/clinics-" + database_->name();
    std::filesystem::remove_all(directory_);
    journal_ = directory_ + "/claims.ndjson";
    port_ = free_port();
    std::filesystem::create_directories(directory_);
    claims_process_ = start_claims_system();
    database_->execute("UPDATE systems SET base_url = 'http://127.0.0.1:" + std::to_string(port_) +
                       "' WHERE system_code = 'GIAMDINH'");
    demo::ClinicNetworkOptions clinics;
    clinics.count = kClinics;
    clinics.directory = directory_;
    clinics.ca_certificate = pki_file("ca.crt");
    clinics.ca_key = pki_file("ca.key");
    clinics.provider = kClaims;
    demo::write_clinic_network(clinics);
    std::ifstream file(directory_ + "/registry.json");
    const std::string registry((std::istreambuf_iterator<char>(file)), {});
    const auto applied = admin::apply_registry(database_->url(), registry, {});
    ASSERT_TRUE(applied.has_value()) << applied.error().detail;
    ASSERT_TRUE(hub_->reload_registry().has_value());
  }

  void TearDown() override {
    claims_process_.reset();
    NationalDemoFixture::TearDown();
    std::filesystem::remove_all(directory_);
  }

  std::unique_ptr<DemoProviderProcess> start_claims_system() {
    return std::make_unique<DemoProviderProcess>(
        "claims", port_, std::vector<std::string>{"--claims-journal", journal_});
  }

  int count(const std::string& sql) const { return std::stoi(database_->scalar(sql)); }

  std::string directory_, journal_;
  std::uint16_t port_ = 0;
  std::unique_ptr<DemoProviderProcess> claims_process_;
};

TEST_F(ClinicClaims, EveryClaimTakesEffectOnceThroughARestartOfTheClaimsSystem) {
  std::atomic<int> submitted{0}, accepted{0};
  std::mutex sent_mutex;
  std::set<std::string> sent;  // facility/claim number
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (std::uint32_t clinic = s; clinic < kClinics; clinic += kSenders) {
        const std::string facility = demo::clinic_facility_code(clinic);
        TestClient client(hub_->exchange_port(), "clinics-" + database_->name() + "/pki/" +
                                                     demo::clinic_file_name(clinic));
        for (int i = 0; i < kClaimsPerClinic; ++i) {
          const json claim = demo::health_insurance_claim(citizens_, facility, i);
          const json envelope = {{"header",
                                  {{"id", "claim-" + facility + "-" + std::to_string(i)},
                                   {"from", demo::clinic_system_id(clinic)},
                                   {"to", kClaims},
                                   {"service", "health-insurance-claim"},
                                   {"version", "v1"},
                                   {"purpose", "Đề nghị thanh toán chi phí KCB BHYT"}}},
                                 {"body", claim}};
          const auto answer = client.post("/exchange/v1/messages", envelope.dump());
          ++submitted;
          if (answer.status == 202)
            ++accepted;
          std::lock_guard lock(sent_mutex);
          sent.insert(facility + "/" + claim["claimNumber"].get<std::string>());
        }
      }
    });
  }
  // A third of the way in, the claims system dies without a word and comes back.
  for (int i = 0; i < 600 && submitted < kClaimCount / 3; ++i)
    std::this_thread::sleep_for(10ms);
  claims_process_->kill();
  // It comes back once deliveries have been seen to fail while it was away.
  const auto away_until = std::chrono::steady_clock::now() + 30s;
  while (count("SELECT count(*) FROM audit_records WHERE path = '(async delivery)' AND "
               "status >= 500") == 0 &&
         std::chrono::steady_clock::now() < away_until)
    std::this_thread::sleep_for(10ms);
  claims_process_ = start_claims_system();
  for (auto& sender : senders)
    sender.join();
  ASSERT_EQ(accepted, kClaimCount) << "every submission is answered 202 while the provider is away";
  ASSERT_EQ(sent.size(), static_cast<std::size_t>(kClaimCount));

  const std::string claims_service = std::string(kClaims) + "/health-insurance-claim/v1";
  for (int i = 0; i < 600; ++i) {  // at most a minute
    if (count("SELECT count(*) FROM deliveries WHERE state = 'delivered' AND service = '" +
              claims_service + "'") == kClaimCount)
      break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(count("SELECT count(*) FROM deliveries WHERE state = 'delivered' AND service = '" +
                  claims_service + "'"),
            kClaimCount);
  EXPECT_EQ(count("SELECT count(*) FROM deliveries WHERE state IN ('dead', 'failed')"), 0);
  // The outage was real: some deliveries needed more than one attempt.
  EXPECT_GT(count("SELECT count(*) FROM deliveries WHERE attempts > 1"), 0);

  // Exactly once at the claims system: its journal holds each claim one time.
  std::ifstream journal(journal_);
  std::multiset<std::string> taken;
  for (std::string line; std::getline(journal, line);) {
    const auto entry = json::parse(line, nullptr, false);
    if (entry.is_object())
      taken.insert(entry["key"].get<std::string>());
  }
  EXPECT_EQ(taken.size(), static_cast<std::size_t>(kClaimCount));
  EXPECT_EQ(std::set<std::string>(taken.begin(), taken.end()), sent);

  // Every submission, and the delivery of every claim, is in the audit log.
  EXPECT_EQ(count("SELECT count(*) FROM audit_records WHERE service = 'health-insurance-claim' "
                  "AND path <> '(async delivery)' AND status = 202"),
            kClaimCount);
  EXPECT_EQ(count("SELECT count(DISTINCT message_id) FROM audit_records WHERE path = '(async "
                  "delivery)' AND service = 'health-insurance-claim' AND status BETWEEN 200 AND "
                  "299"),
            kClaimCount);
}

}  // namespace
}  // namespace lienthong::testing

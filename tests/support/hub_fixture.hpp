#pragma once
// A whole hub node for integration tests, wired exactly as `lienthong serve`
// wires it (cli::Hub): its own migrated database, real TLS on a loopback port
// chosen by the OS, a real provider on loopback, and a small registry:
//
//   VN/GOV/TEST.01/TEST-PROVIDER   provides echo, slow, broken, garbage, missing (all v1)
//   VN/GOV/TEST.02/TEST-DEAD       provides dead/v1 at a port where nothing listens
//   VN/PROV/TEST.03/TEST-CONSUMER  consumer (certificate TEST-CONSUMER)
//   VN/PROV/TEST.03/TEST-OTHER     consumer (certificate TEST-OTHER)
// TEST-CONSUMER holds an approved agreement for every service; TEST-OTHER only
// one for echo that expired yesterday. TEST-UNREGISTERED has a valid
// certificate but no registration.

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "lienthong/cli/hub.hpp"

#include "test_client.hpp"
#include "test_environment.hpp"
#include "test_provider.hpp"

namespace lienthong::testing {

inline constexpr const char* kConsumer = "VN/PROV/TEST.03/TEST-CONSUMER";
inline constexpr const char* kOther = "VN/PROV/TEST.03/TEST-OTHER";
inline constexpr const char* kProvider = "VN/GOV/TEST.01/TEST-PROVIDER";
inline constexpr const char* kDeadProvider = "VN/GOV/TEST.02/TEST-DEAD";

// SHA-256 of a test PKI certificate ("TEST-CONSUMER"), as the hub computes it.
std::string fingerprint_of(const std::string& certificate_name);

class HubFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The hub's configuration before start; a fixture changes it in configure().
  static Config test_config(const std::string& database_url);
  virtual void configure(Config& /*config*/) {}
  // Starts (or, after hub_.reset(), restarts) the hub on the fixture's database.
  void start_hub();

  TestClient client(std::optional<std::string> certificate = "TEST-CONSUMER") const {
    return TestClient(hub_->exchange_port(), std::move(certificate));
  }
  // An envelope from `from` to `to`/`service`/v1 with `body`.
  static std::string envelope(const std::string& id, const std::string& from, const std::string& to,
                              const std::string& service,
                              const std::string& body = R"({"idNumber":"001089012345"})");
  // The audit row of `message_id` as "status|error_code|consumer|provider|service".
  std::string audit_summary(const std::string& message_id) const;
  int audit_count() const;
  // Whether the hub became ready (every /readyz check holding) within `limit`;
  // tests assert it before anything that needs a ready node.
  bool becomes_ready(std::chrono::milliseconds limit = std::chrono::seconds(5)) const;

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<TestProvider> provider_;
  std::unique_ptr<cli::Hub> hub_;
};

}  // namespace lienthong::testing

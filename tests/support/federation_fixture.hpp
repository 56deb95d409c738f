#pragma once
// Two hubs, as two instances of a federation: the national hub (VN, the
// fixture's hub and database, the test CA) and Hà Nội's platform (VN-HN, a
// second hub in this process with its own database and a server certificate
// of another CA, "foreign-ca.crt"). Each registers the other as a peer and
// pulls the other's catalogue every second. The national hub publishes
// VN/GOV/TEST.01/TEST-PROVIDER/echo to VN-HN.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "lienthong/federation/assertion_token.hpp"

#include "admin_fixture.hpp"

namespace lienthong::testing {

inline constexpr const char* kPublishedEcho = "VN/GOV/TEST.01/TEST-PROVIDER/echo";
// Hà Nội's own system, registered at Hà Nội's hub by register_hanoi_system().
inline constexpr const char* kHanoiSystem = "VN-HN/GOV/000.00.01.H26/DVC-HN";

class FederationFixture : public AdminFixture {
 protected:
  void SetUp() override;
  void TearDown() override;
  void configure(Config& config) override;

  // kHanoiSystem at Hà Nội's hub, authenticated by certificate MOTCUA-HN.
  void register_hanoi_system();
  // The same system at the national hub, without any credential (it cannot
  // call directly), with an approved agreement for the echo service.
  void register_hanoi_at_national();
  // The national hub in Hà Nội's registry (replacing what was there), with
  // the CA its server certificate must chain to and its catalogue key.
  void register_national_in_province(const std::string& ca_pem, const std::string& key);
  // What Hà Nội's hub holds of the national catalogue, once `ready` holds
  // for it (polled: the pull runs every second on the hub's own thread).
  nlohmann::json held_in_province(const std::function<bool(const nlohmann::json&)>& ready) const;
  static bool has_token(const nlohmann::json& held) {
    return held.contains("token") && held["token"].is_string();
  }
  static bool has_error(const nlohmann::json& held) {
    return held.contains("error") && held["error"].is_string();
  }
  // What Hà Nội's hub vouches for when it passes on kHanoiSystem's message
  // `id` with `body` for the national echo service (purpose "integration
  // test", user "tester-1"), valid for a minute from now.
  federation::AssertionClaims vouching(const std::string& body, const std::string& id) const;
  // `claims` signed with the Ed25519 key `key_file` of the fixture's
  // directory (Hà Nội's registered one is "hn-catalogue.key").
  std::string signed_by(const std::string& key_file,
                        const federation::AssertionClaims& claims) const;
  // The public half of an Ed25519 key in the fixture's directory (created when missing).
  std::string key_pem(const std::string& file) const;
  std::string province_url() const;
  std::string national_url() const;

  std::filesystem::path directory_;
  std::unique_ptr<TestDatabase> province_db_;
  std::unique_ptr<cli::Hub> province_;
  std::int64_t national_peer_id_ = 0;
};

}  // namespace lienthong::testing

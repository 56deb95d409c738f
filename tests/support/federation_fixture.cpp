#include "federation_fixture.hpp"

#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"

namespace lienthong::testing {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

void FederationFixture::SetUp() {
  directory_ = fs::temp_directory_path() / ("lt-federation-" + std::to_string(::getpid()));
  fs::remove_all(directory_);
  fs::create_directories(directory_);
  // The national hub accepts client certificates of its members' CA and of
  // the peer hubs' (Hà Nội's, and HCM's for the transit tests).
  std::ofstream(directory_ / "client-cas.crt")
      << read_text(pki_file("ca.crt")) << read_text(pki_file("foreign-ca.crt"))
      << read_text(pki_file("hcm-ca.crt"));
  AdminFixture::SetUp();

  province_db_ = std::make_unique<TestDatabase>();
  auto config = test_config(province_db_->url());
  config.node.name = "hn-node";
  config.tls.certificate = pki_file("foreign-hub.crt");
  config.tls.private_key = pki_file("foreign-hub.key");
  config.federation.instance = "VN-HN";
  config.federation.signing_key = (directory_ / "hn-catalogue.key").string();
  config.federation.client_certificate = pki_file("TEST-FOREIGN.crt");
  config.federation.client_key = pki_file("TEST-FOREIGN.key");
  config.federation.pull_seconds = 1;
  // Queued messages for the national hub are retried within a test's patience.
  config.async.poll_ms = 50;
  config.async.backoff_initial_ms = 100;
  config.async.backoff_max_ms = 500;
  // ...and not given up while a test keeps the national hub down (8 tries
  // at most 500 ms apart would be over in about 3 s, less than a slow
  // machine takes to bring the hub back).
  config.async.max_attempts = 1'000;
  config.provider.breaker_cooldown_ms = 200;
  province_ = std::make_unique<cli::Hub>(
      config, std::make_shared<spdlog::logger>("province",
                                               std::make_shared<spdlog::sinks::null_sink_mt>()));
  province_->start();

  // The national hub registers Hà Nội's platform through its admin API...
  const auto registered =
      hub_admin().post("/admin/v1/peers", {{"instance", "VN-HN"},
                                           {"name", "Nền tảng chia sẻ Hà Nội"},
                                           {"exchange_url", province_url()},
                                           {"tls_ca_pem", read_text(pki_file("foreign-ca.crt"))},
                                           {"client_fingerprint", fingerprint_of("TEST-FOREIGN")},
                                           {"catalogue_key_pem", key_pem("hn-catalogue.key")},
                                           {"published_services", json::array({kPublishedEcho})}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  national_peer_id_ = AdminClient::json_of(registered)["id"].get<std::int64_t>();
  // ...and Hà Nội's administrator registers the national hub in theirs.
  register_national_in_province(read_text(pki_file("ca.crt")), key_pem("vn-catalogue.key"));
}

void FederationFixture::TearDown() {
  province_.reset();
  province_db_.reset();
  AdminFixture::TearDown();
  fs::remove_all(directory_);
}

void FederationFixture::configure(Config& config) {
  config.tls.client_ca = (directory_ / "client-cas.crt").string();
  config.federation.instance = "VN";
  config.federation.signing_key = (directory_ / "vn-catalogue.key").string();
  config.federation.client_certificate = pki_file("HUB-VN.crt");
  config.federation.client_key = pki_file("HUB-VN.key");
  config.federation.pull_seconds = 1;
}

federation::AssertionClaims FederationFixture::vouching(const std::string& body,
                                                        const std::string& id) const {
  federation::AssertionClaims claims;
  claims.issuer = "VN-HN";
  claims.audience = "VN";
  claims.token_id = "t-" + id;
  claims.issued_at =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  claims.expires_at = claims.issued_at + 60s;
  claims.consumer = kHanoiSystem;
  claims.service = std::string(kProvider) + "/echo/v1";
  claims.purpose = "integration test";
  claims.user_id = "tester-1";
  claims.message_id = id;
  claims.body_sha256 = sha256_hex(body);
  claims.hops = {"VN-HN"};
  return claims;
}

std::string FederationFixture::signed_by(const std::string& key_file,
                                         const federation::AssertionClaims& claims) const {
  return federation::sign_assertion(
      claims, audit::SigningKey::load_or_create((directory_ / key_file).string()));
}

std::string FederationFixture::key_pem(const std::string& file) const {
  return audit::SigningKey::load_or_create((directory_ / file).string()).public_key_pem();
}

std::string FederationFixture::province_url() const {
  return "https://127.0.0.1:" + std::to_string(province_->exchange_port());
}

std::string FederationFixture::national_url() const {
  return "https://127.0.0.1:" + std::to_string(hub_->exchange_port());
}

void FederationFixture::register_hanoi_system() {
  province_db_->execute(
      "INSERT INTO members (instance, member_class, member_code, name) VALUES "
      "('VN-HN', 'GOV', '000.00.01.H26', 'UBND Hà Nội');"
      "INSERT INTO systems (member_id, system_code, name) SELECT id, 'DVC-HN', 'Dịch vụ công' "
      "FROM members;"
      "INSERT INTO credentials (system_id, kind, fingerprint) SELECT id, 'certificate', '" +
      fingerprint_of("MOTCUA-HN") + "' FROM systems;");
  ASSERT_TRUE(province_->reload_registry().has_value());
}

void FederationFixture::register_hanoi_at_national() {
  database_->execute(
      "INSERT INTO members (instance, member_class, member_code, name) VALUES "
      "('VN-HN', 'GOV', '000.00.01.H26', 'UBND Hà Nội');"
      "INSERT INTO systems (member_id, system_code, name) SELECT id, 'DVC-HN', 'Dịch vụ công' "
      "FROM members WHERE instance = 'VN-HN';"
      "INSERT INTO agreements (consumer_system_id, provider_system_id, service_code, purpose, "
      "legal_basis, status, requested_by, status_changed_by) SELECT c.id, p.id, 'echo', "
      "'integration test', 'test fixture', 'approved', 'fixture', 'fixture' FROM systems c, "
      "systems p WHERE c.system_code = 'DVC-HN' AND p.system_code = 'TEST-PROVIDER';");
  ASSERT_TRUE(hub_->reload_registry().has_value());
}

void FederationFixture::register_national_in_province(const std::string& ca_pem,
                                                      const std::string& key) {
  province_db_->execute(
      "DELETE FROM peer_catalogues; DELETE FROM peers; "
      "INSERT INTO peers (instance, name, exchange_url, tls_ca_pem, client_fingerprint, "
      "catalogue_key_pem, created_by) VALUES ('VN', 'National platform', '" +
      national_url() + "', '" + ca_pem + "', '" + fingerprint_of("HUB-VN") + "', '" + key +
      "', 'test')");
  ASSERT_TRUE(province_->reload_registry().has_value());
}

json FederationFixture::held_in_province(const std::function<bool(const json&)>& ready) const {
  json held;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto text = province_db_->scalar(
        "SELECT coalesce((SELECT jsonb_build_object('version', version, 'services', services, "
        "'token', token, 'error', error, 'received_by', received_by, 'lifetime', "
        "extract(epoch FROM expires_at - issued_at), 'attempted_at', attempted_at) FROM "
        "peer_catalogues), '{}')::text");
    held = json::parse(text);
    if (ready(held))
      return held;
    std::this_thread::sleep_for(100ms);
  }
  ADD_FAILURE() << "the province never held the expected catalogue state; last: " << held.dump();
  return held;
}

}  // namespace lienthong::testing

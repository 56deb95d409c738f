// Three hubs: Hà Nội's (VN-HN) reaches a service of Hồ Chí Minh City's
// (VN-HCM) through the national hub (VN), the only peer each province has.
// The national hub passes HCM's service on to Hà Nội in its catalogue and
// the call on to HCM with its own assertion, linked to Hà Nội's; HCM decides
// with its own agreement for the Hà Nội system. Each hub commits a record,
// each forwarding hub keeps the next one's receipt.
#include <thread>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/federation/assertion_token.hpp"

#include "federation_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kHcmProvider = "VN-HCM/GOV/000.00.00.H29/CT-HCM";
constexpr const char* kHcmEcho = "VN-HCM/GOV/000.00.00.H29/CT-HCM/echo";

class FederationTransit : public FederationFixture {
 protected:
  void SetUp() override {
    FederationFixture::SetUp();
    if (::testing::Test::HasFatalFailure())
      return;
    ASSERT_NO_FATAL_FAILURE(register_hanoi_system());

    // Hồ Chí Minh City's hub: its own database and CA, a provider of its
    // own (the fixture's echo), and the Hà Nội system registered without a
    // credential, with an approved agreement.
    hcm_db_ = std::make_unique<TestDatabase>();
    hcm_db_->execute(
        "INSERT INTO members (instance, member_class, member_code, name) VALUES "
        "('VN-HCM', 'GOV', '000.00.00.H29', 'UBND TP Hồ Chí Minh'), "
        "('VN-HN', 'GOV', '000.00.01.H26', 'UBND Hà Nội');"
        "INSERT INTO systems (member_id, system_code, name, base_url) SELECT id, 'CT-HCM', "
        "'Cổng thông tin', 'http://127.0.0.1:" +
        std::to_string(provider_->port()) +
        "/api' FROM members WHERE instance = 'VN-HCM';"
        "INSERT INTO systems (member_id, system_code, name) SELECT id, 'DVC-HN', 'Dịch vụ công' "
        "FROM members WHERE instance = 'VN-HN';"
        "INSERT INTO services (system_id, service_code, version, name, provider_path, "
        "timeout_ms) SELECT id, 'echo', 'v1', 'echo', '/echo', 5000 FROM systems WHERE "
        "system_code = 'CT-HCM';"
        "INSERT INTO agreements (consumer_system_id, provider_system_id, service_code, purpose, "
        "legal_basis, status, requested_by, status_changed_by) SELECT c.id, p.id, 'echo', "
        "'integration test', 'test fixture', 'approved', 'fixture', 'fixture' FROM systems c, "
        "systems p WHERE c.system_code = 'DVC-HN' AND p.system_code = 'CT-HCM';"
        "INSERT INTO peers (instance, name, exchange_url, tls_ca_pem, client_fingerprint, "
        "catalogue_key_pem, published_services, created_by) VALUES ('VN', 'National platform', "
        "'" +
        national_url() + "', '" + read_text(pki_file("ca.crt")) + "', '" +
        fingerprint_of("HUB-VN") + "', '" + key_pem("vn-catalogue.key") + "', ARRAY['" + kHcmEcho +
        "'], 'test')");
    auto config = test_config(hcm_db_->url());
    config.node.name = "hcm-node";
    config.tls.certificate = pki_file("hcm-hub.crt");
    config.tls.private_key = pki_file("hcm-hub.key");
    config.tls.client_ca = (directory_ / "client-cas.crt").string();
    config.federation.instance = "VN-HCM";
    config.federation.signing_key = (directory_ / "hcm-catalogue.key").string();
    config.federation.client_certificate = pki_file("hcm-HUB-VN-HCM.crt");
    config.federation.client_key = pki_file("hcm-HUB-VN-HCM.key");
    config.federation.pull_seconds = 1;
    config.async.poll_ms = 50;
    config.async.backoff_initial_ms = 100;
    config.async.backoff_max_ms = 500;
    hcm_ = std::make_unique<cli::Hub>(
        config,
        std::make_shared<spdlog::logger>("hcm", std::make_shared<spdlog::sinks::null_sink_mt>()));
    hcm_->start();

    // The national hub registers HCM's hub, and passes HCM's echo on to Hà Nội.
    const auto registered = hub_admin().post(
        "/admin/v1/peers",
        {{"instance", "VN-HCM"},
         {"name", "Nền tảng chia sẻ TP Hồ Chí Minh"},
         {"exchange_url", "https://127.0.0.1:" + std::to_string(hcm_->exchange_port())},
         {"tls_ca_pem", read_text(pki_file("hcm-ca.crt"))},
         {"client_fingerprint", fingerprint_of("hcm-HUB-VN-HCM")},
         {"catalogue_key_pem", key_pem("hcm-catalogue.key")},
         {"published_services", json::array()}});
    ASSERT_EQ(registered.status, 201) << registered.body;
    publish_to_hanoi({kPublishedEcho, kHcmEcho});
    // Hà Nội holds a national catalogue that passes HCM's echo on.
    held_in_province([](const json& held) {
      if (!held.contains("services") || !held["services"].is_array())
        return false;
      for (const auto& entry : held["services"])
        if (entry.value("id", "") == kHcmEcho)
          return true;
      return false;
    });
  }

  void TearDown() override {
    hcm_.reset();
    hcm_db_.reset();
    FederationFixture::TearDown();
  }

  void publish_to_hanoi(const std::vector<std::string>& keys) {
    auto admin = hub_admin();
    const auto path = "/admin/v1/peers/" + std::to_string(national_peer_id_);
    const auto current = admin.get(path);
    const auto changed = admin.patch(path, {{"published_services", keys}}, current.header("etag"));
    ASSERT_EQ(changed.status, 200) << changed.body;
    ASSERT_TRUE(hub_->reload_registry().has_value());
  }

  ClientResponse from_hanoi(const std::string& id) const {
    TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
    return hanoi.post("/exchange/v1/messages", envelope(id, kHanoiSystem, kHcmProvider, "echo"));
  }
  static std::string field(const TestDatabase& db, const std::string& id,
                           const std::string& column) {
    return db.scalar("SELECT coalesce(" + column +
                     "::text, '-') FROM audit_records WHERE "
                     "message_id = '" +
                     id + "'");
  }

  std::unique_ptr<TestDatabase> hcm_db_;
  std::unique_ptr<cli::Hub> hcm_;
};

TEST_F(FederationTransit, AProvinceReachesAnotherProvinceThroughTheNationalHub) {
  const auto answer = from_hanoi("transit-1");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json answered = json::parse(answer.body);
  EXPECT_EQ(answered["header"]["from"], kHcmProvider);
  EXPECT_EQ(answered["body"]["received"]["idNumber"], "001089012345") << "the provider's echo";

  // A record on each of the three hubs, each naming the Hà Nội system.
  for (const TestDatabase* db : {province_db_.get(), database_.get(), hcm_db_.get()}) {
    EXPECT_EQ(field(*db, "transit-1", "concat_ws('|', status, consumer, provider)"),
              std::string("200|") + kHanoiSystem + "|" + kHcmProvider);
  }
  // Each forwarding hub keeps the next one's receipt and the assertion it signed.
  EXPECT_EQ(field(*province_db_, "transit-1", "downstream_instance"), "VN");
  EXPECT_EQ(field(*province_db_, "transit-1", "downstream_record_hash"),
            field(*database_, "transit-1", "record_hash"));
  EXPECT_EQ(field(*database_, "transit-1", "upstream_instance"), "VN-HN");
  EXPECT_EQ(field(*database_, "transit-1", "upstream_assertion"),
            field(*province_db_, "transit-1", "downstream_assertion"));
  EXPECT_EQ(field(*database_, "transit-1", "downstream_instance"), "VN-HCM");
  EXPECT_EQ(field(*database_, "transit-1", "downstream_record_hash"),
            field(*hcm_db_, "transit-1", "record_hash"));
  EXPECT_EQ(field(*hcm_db_, "transit-1", "upstream_instance"), "VN");
  EXPECT_EQ(field(*hcm_db_, "transit-1", "downstream_instance"), "-");

  // HCM holds the national hub's assertion: both hops, and the hash of
  // Hà Nội's assertion, which Hà Nội's own record holds.
  const std::string national_assertion = field(*hcm_db_, "transit-1", "upstream_assertion");
  EXPECT_EQ(national_assertion, field(*database_, "transit-1", "downstream_assertion"));
  federation::AssertionExpectation expected;
  expected.issuer = "VN";
  expected.audience = "VN-HCM";
  expected.public_key_pem = key_pem("vn-catalogue.key");
  expected.now = std::chrono::system_clock::now();
  const std::string body = envelope("transit-1", kHanoiSystem, kHcmProvider, "echo");
  expected.body = body;
  const auto check = federation::verify_assertion(national_assertion, expected);
  ASSERT_TRUE(check.claims.has_value()) << check.refusal;
  EXPECT_EQ(check.claims->hops, (std::vector<std::string>{"VN-HN", "VN"}));
  EXPECT_EQ(check.claims->consumer, kHanoiSystem);
  EXPECT_EQ(check.claims->previous_sha256,
            sha256_hex(field(*province_db_, "transit-1", "downstream_assertion")));
}

// The same path for an X-Road REST client: /r1/ on Hà Nội's hub, through
// the national hub, to HCM's provider; the national assertion names the
// operation Hà Nội's did.
TEST_F(FederationTransit, AnXRoadRestCallCrossesThreeHubs) {
  TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
  const auto answer =
      hanoi.request("POST", std::string("/r1/") + kHcmProvider + "/echo/cases?year=2026",
                    R"({"idNumber":"001089012345"})", "application/json",
                    {{"X-Road-Client", kHanoiSystem}, {"X-Road-Id", "transit-r1"}});
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(json::parse(answer.body)["received"]["idNumber"], "001089012345");
  EXPECT_EQ(provider_->received().back().target, "/api/echo/cases?year=2026");
  for (const TestDatabase* db : {province_db_.get(), database_.get(), hcm_db_.get()}) {
    EXPECT_EQ(field(*db, "transit-r1", "concat_ws('|', status, consumer, provider, method)"),
              std::string("200|") + kHanoiSystem + "|" + kHcmProvider + "|POST");
  }
  EXPECT_EQ(field(*province_db_, "transit-r1", "downstream_record_hash"),
            field(*database_, "transit-r1", "record_hash"));
  EXPECT_EQ(field(*database_, "transit-r1", "downstream_record_hash"),
            field(*hcm_db_, "transit-r1", "record_hash"));
  federation::AssertionExpectation expected;
  expected.issuer = "VN";
  expected.audience = "VN-HCM";
  expected.public_key_pem = key_pem("vn-catalogue.key");
  expected.now = std::chrono::system_clock::now();
  expected.body = R"({"idNumber":"001089012345"})";
  const auto check =
      federation::verify_assertion(field(*hcm_db_, "transit-r1", "upstream_assertion"), expected);
  ASSERT_TRUE(check.claims.has_value()) << check.refusal;
  EXPECT_EQ(check.claims->operation, "POST /cases?year=2026");
  EXPECT_EQ(check.claims->hops, (std::vector<std::string>{"VN-HN", "VN"}));
}

TEST_F(FederationTransit, TheProvidersHubDecidesAndEveryHubAuditsTheRefusal) {
  hcm_db_->execute("UPDATE agreements SET status = 'revoked'");
  ASSERT_TRUE(hcm_->reload_registry().has_value());
  const auto refused = from_hanoi("transit-2");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["code"], "Client.NoAgreement");
  for (const TestDatabase* db : {province_db_.get(), database_.get(), hcm_db_.get()})
    EXPECT_EQ(field(*db, "transit-2", "concat_ws('|', status, error_code)"),
              "403|Client.NoAgreement");
  EXPECT_EQ(field(*province_db_, "transit-2", "downstream_record_hash"),
            field(*database_, "transit-2", "record_hash"));
  EXPECT_EQ(field(*database_, "transit-2", "downstream_record_hash"),
            field(*hcm_db_, "transit-2", "record_hash"));
}

TEST_F(FederationTransit, OnlyWhatTheNationalHubPassesOnGoesThrough) {
  // The national hub stops passing HCM's echo on: its next catalogue to Hà
  // Nội lacks it, and Hà Nội has no route to HCM.
  publish_to_hanoi({kPublishedEcho});
  held_in_province([](const json& held) {
    return held.contains("services") && held["services"].is_array() && held["services"].size() == 1;
  });
  const auto unrouted = from_hanoi("transit-3");
  EXPECT_EQ(unrouted.status, 404) << unrouted.body;
  EXPECT_NE(unrouted.body.find("no peer's catalogue offers " + std::string(kHcmEcho)),
            std::string::npos)
      << unrouted.body;

  // Hà Nội's hub asking the national hub directly, with a genuine
  // assertion, is refused there: nothing is passed on that was not published.
  const std::string body = envelope("transit-4", kHanoiSystem, kHcmProvider, "echo");
  federation::AssertionClaims claims;
  claims.issuer = "VN-HN";
  claims.audience = "VN";
  claims.token_id = "t-transit-4";
  claims.issued_at =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  claims.expires_at = claims.issued_at + 60s;
  claims.consumer = kHanoiSystem;
  claims.service = std::string(kHcmEcho) + "/v1";
  claims.purpose = "integration test";
  claims.user_id = "tester-1";
  claims.message_id = "transit-4";
  claims.body_sha256 = sha256_hex(body);
  claims.hops = {"VN-HN"};
  TestClient peer(hub_->exchange_port(), "TEST-FOREIGN");
  const auto refused = peer.request(
      "POST", "/federation/v1/messages", body, "application/json",
      {{std::string(federation::kAssertionHeader),
        federation::sign_assertion(claims, audit::SigningKey::load_or_create(
                                               (directory_ / "hn-catalogue.key").string()))}});
  EXPECT_EQ(refused.status, 404) << refused.body;
  EXPECT_NE(refused.body.find("is passed on to VN-HN"), std::string::npos) << refused.body;
  EXPECT_EQ(field(*hcm_db_, "transit-4", "count(*)"), "0") << "nothing reached HCM";
}

TEST_F(FederationTransit, HanoisCatalogListsHcmsServiceReachedThroughTheNationalHub) {
  TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
  const auto catalog = hanoi.request("GET", "/exchange/v1/catalog", "");
  ASSERT_EQ(catalog.status, 200) << catalog.body;
  bool listed = false;
  const json document = json::parse(catalog.body);
  for (const auto& remote : document["remoteServices"]) {
    if (remote["provider"] == kHcmProvider) {
      listed = true;
      EXPECT_EQ(remote["instance"], "VN-HCM");
      EXPECT_EQ(remote["via"], "VN");
    }
  }
  EXPECT_TRUE(listed) << catalog.body;
}

// An asynchronous message through three hubs: Hà Nội's hub queues it and
// passes it on; the national hub passes it on to HCM on the spot, where it
// is queued and delivered. The sender reads it at its own hub, which asks
// the national hub, which asks HCM in turn (each read vouched for and
// recorded on every hub, linked by the receipts).
TEST_F(FederationTransit, AQueuedMessageIsReadThroughBothHubs) {
  hcm_db_->execute("UPDATE services SET allow_async = true WHERE service_code = 'echo'");
  ASSERT_TRUE(hcm_->reload_registry().has_value());
  held_in_province([](const json& held) {
    if (!held.contains("services") || !held["services"].is_array())
      return false;
    for (const auto& entry : held["services"])
      if (entry.value("id", "") == kHcmEcho && entry.value("async", false))
        return true;
    return false;
  });
  TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
  const auto accepted =
      hanoi.request("POST", "/exchange/v1/messages",
                    envelope("transit-async-1", kHanoiSystem, kHcmProvider, "echo"),
                    "application/json", {{"Prefer", "respond-async"}});
  ASSERT_EQ(accepted.status, 202) << accepted.body;

  // Delivered at HCM (the provider answered), and the read sees it there.
  json document;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto status = hanoi.request("GET", "/exchange/v1/messages/transit-async-1", "", "");
    ASSERT_EQ(status.status, 200) << status.body;
    document = json::parse(status.body);
    const json::json_pointer state("/nextHub/status/nextHub/status/state");
    if (document.contains(state) && document.at(state) == "delivered")
      break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(document.contains(json::json_pointer("/nextHub/status/nextHub")))
      << "the national hub answers the read with HCM's: " << document.dump();
  const json& national = document["nextHub"];
  EXPECT_EQ(national["instance"], "VN") << document.dump();
  EXPECT_EQ(national["status"]["passedOn"], true) << "the national hub holds none of it";
  EXPECT_EQ(national["status"]["messageId"], "transit-async-1");
  const json& hcm = national["status"]["nextHub"];
  EXPECT_EQ(hcm["instance"], "VN-HCM") << document.dump();
  EXPECT_EQ(hcm["status"]["state"], "delivered") << document.dump();
  EXPECT_EQ(hcm["status"]["response"]["status"], 200);
  EXPECT_EQ(hcm["status"]["response"]["body"]["received"]["idNumber"], "001089012345");

  // The last read is on every hub, linked: Hà Nội's record holds the
  // national record's receipt, the national record HCM's.
  const auto last_read = [](const TestDatabase& db, const std::string& column) {
    return db.scalar("SELECT coalesce(" + column +
                     ", '-') FROM audit_records WHERE message_id = 'transit-async-1' AND method "
                     "= 'GET' ORDER BY seq DESC LIMIT 1");
  };
  EXPECT_EQ(last_read(*province_db_, "downstream_record_hash"),
            last_read(*database_, "record_hash"));
  EXPECT_EQ(last_read(*database_, "downstream_record_hash"), last_read(*hcm_db_, "record_hash"));
  EXPECT_EQ(last_read(*hcm_db_, "concat_ws('|', status, consumer, upstream_instance)"),
            std::string("200|") + kHanoiSystem + "|VN");
  // The message itself crossed the national hub once, and was queued only at
  // Hà Nội's hub and HCM's.
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM deliveries WHERE message_id = "
                              "'transit-async-1'"),
            "0");
  EXPECT_EQ(hcm_db_->scalar("SELECT count(*) FROM deliveries WHERE message_id = "
                            "'transit-async-1'"),
            "1");
}

}  // namespace
}  // namespace lienthong::testing

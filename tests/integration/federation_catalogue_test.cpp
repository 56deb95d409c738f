// Two hubs, as two instances of a federation: the national hub (VN, the
// fixture's hub and database, the test CA) and Hà Nội's platform (VN-HN, a
// second hub in this process with its own database and a server certificate
// of another CA). Each registers the other as a peer; each pulls the other's
// catalogue over mutual TLS and keeps the last valid one. What a peer may
// see, and every way a pull can fail, with what each hub records.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "lienthong/audit/signing_key.hpp"

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kPublishedEcho = "VN/GOV/TEST.01/TEST-PROVIDER/echo";

std::string read_text(const std::string& path) {
  std::ostringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

class FederationCatalogue : public AdminFixture {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / ("lt-federation-" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    // The national hub accepts client certificates of both CAs: its members'
    // and the peer hub's.
    std::ofstream(directory_ / "client-cas.crt")
        << read_text(pki_file("ca.crt")) << read_text(pki_file("foreign-ca.crt"));
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
    province_ = std::make_unique<cli::Hub>(config, quiet_logger());
    province_->start();

    // The national hub registers Hà Nội's platform through its admin API...
    const auto registered = hub_admin().post(
        "/admin/v1/peers", {{"instance", "VN-HN"},
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

  void TearDown() override {
    province_.reset();
    province_db_.reset();
    AdminFixture::TearDown();
    fs::remove_all(directory_);
  }

  void configure(Config& config) override {
    config.tls.client_ca = (directory_ / "client-cas.crt").string();
    config.federation.instance = "VN";
    config.federation.signing_key = (directory_ / "vn-catalogue.key").string();
    config.federation.client_certificate = pki_file("HUB-VN.crt");
    config.federation.client_key = pki_file("HUB-VN.key");
    config.federation.pull_seconds = 1;
  }

  static std::shared_ptr<spdlog::logger> quiet_logger() {
    return std::make_shared<spdlog::logger>("province",
                                            std::make_shared<spdlog::sinks::null_sink_mt>());
  }

  std::string key_pem(const std::string& file) const {
    return audit::SigningKey::load_or_create((directory_ / file).string()).public_key_pem();
  }
  std::string province_url() const {
    return "https://127.0.0.1:" + std::to_string(province_->exchange_port());
  }
  std::string national_url() const {
    return "https://127.0.0.1:" + std::to_string(hub_->exchange_port());
  }

  void register_national_in_province(const std::string& ca_pem, const std::string& key) {
    province_db_->execute(
        "DELETE FROM peer_catalogues; DELETE FROM peers; "
        "INSERT INTO peers (instance, name, exchange_url, tls_ca_pem, client_fingerprint, "
        "catalogue_key_pem, created_by) VALUES ('VN', 'National platform', '" +
        national_url() + "', '" + ca_pem + "', '" + fingerprint_of("HUB-VN") + "', '" + key +
        "', 'test')");
    ASSERT_TRUE(province_->reload_registry().has_value());
  }

  // What Hà Nội's hub holds of the national catalogue, once `ready` holds
  // for it (polled: the pull runs every second on the hub's own thread).
  json held_in_province(const std::function<bool(const json&)>& ready) const {
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
  static bool has_token(const json& held) {
    return held.contains("token") && held["token"].is_string();
  }

  fs::path directory_;
  std::unique_ptr<TestDatabase> province_db_;
  std::unique_ptr<cli::Hub> province_;
  std::int64_t national_peer_id_ = 0;
};

TEST_F(FederationCatalogue, EachHubHoldsTheCatalogueThePeerPublishedToIt) {
  const json held = held_in_province(has_token);
  EXPECT_TRUE(held["error"].is_null()) << held.dump();
  EXPECT_EQ(held["received_by"], "hn-node");
  EXPECT_EQ(held["lifetime"].get<double>(), 600.0);
  EXPECT_GT(held["version"].get<std::int64_t>(), 0);
  // Only what was published to VN-HN: echo, not the provider's other services.
  ASSERT_EQ(held["services"].size(), 1u) << held.dump();
  const json& echo = held["services"][0];
  EXPECT_EQ(echo["id"], kPublishedEcho);
  EXPECT_EQ(echo["version"], "v1");
  EXPECT_EQ(echo["require_purpose"], true);

  // The national hub audited each pull, with the peer's instance as the consumer.
  EXPECT_NE(database_->scalar("SELECT count(*) FROM audit_records WHERE consumer = 'VN-HN' AND "
                              "path = '/federation/v1/catalogue' AND status = 200"),
            "0");
  // And the other way: the national hub holds Hà Nội's (empty) catalogue.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (database_->scalar("SELECT count(*) FROM peer_catalogues WHERE token IS NOT NULL") == "0" &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  const auto peer =
      AdminClient::json_of(hub_admin().get("/admin/v1/peers/" + std::to_string(national_peer_id_)));
  ASSERT_TRUE(peer["catalogue"].is_object()) << peer.dump();
  EXPECT_EQ(peer["catalogue"]["fresh"], true) << peer.dump();
  EXPECT_EQ(peer["catalogue"]["services"], 0);
  EXPECT_TRUE(peer["catalogue"]["error"].is_null()) << peer.dump();
}

TEST_F(FederationCatalogue, ANewPublicationRaisesTheVersionAndReachesThePeer) {
  const json first = held_in_province(has_token);
  auto admin = hub_admin();
  const auto path = "/admin/v1/peers/" + std::to_string(national_peer_id_);
  const auto current = admin.get(path);
  const auto changed = admin.patch(
      path,
      {{"published_services", json::array({kPublishedEcho, "VN/GOV/TEST.01/TEST-PROVIDER/slow"})}},
      current.header("etag"));
  ASSERT_EQ(changed.status, 200) << changed.body;
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const json second = held_in_province(
      [](const json& held) { return held.contains("services") && held["services"].size() == 2; });
  EXPECT_GT(second["version"].get<std::int64_t>(), first["version"].get<std::int64_t>());
}

TEST_F(FederationCatalogue, ACatalogueSignedByAnUnregisteredKeyIsRefusedAndTheHeldOneKept) {
  const json good = held_in_province(has_token);
  // Hà Nội now expects another key for the national hub: the next pulls fail.
  province_db_->execute("UPDATE peers SET catalogue_key_pem = '" + key_pem("someone-else.key") +
                        "'");
  ASSERT_TRUE(province_->reload_registry().has_value());
  const json refused = held_in_province([](const json& held) { return held["error"].is_string(); });
  EXPECT_NE(refused["error"].get<std::string>().find("not by the peer's registered key"),
            std::string::npos)
      << refused.dump();
  EXPECT_EQ(refused["token"], good["token"]) << "the last valid catalogue is kept";
}

TEST_F(FederationCatalogue, APeerServerOfAnotherCaIsNotThePeer) {
  // Hà Nội registered the national hub with the wrong CA (its own): the TLS
  // handshake fails before anything is asked, and nothing is held.
  register_national_in_province(read_text(pki_file("foreign-ca.crt")), key_pem("vn-catalogue.key"));
  const json refused = held_in_province([](const json& held) { return held["error"].is_string(); });
  EXPECT_NE(refused["error"].get<std::string>().find("TLS"), std::string::npos) << refused.dump();
  EXPECT_TRUE(refused["token"].is_null());
}

TEST_F(FederationCatalogue, OnlyARegisteredPeersCertificateGetsACatalogue) {
  // A member system's certificate, valid for the hub, is not a peer's.
  auto as_member = client("TEST-CONSUMER").request("GET", "/federation/v1/catalogue", "");
  EXPECT_EQ(as_member.status, 401) << as_member.body;
  EXPECT_NE(as_member.body.find("not that of an active peer hub"), std::string::npos);
  EXPECT_EQ(as_member.header("content-type"), "application/problem+json");
  auto anonymous = client(std::nullopt).request("GET", "/federation/v1/catalogue", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records WHERE path = "
                              "'/federation/v1/catalogue' AND status = 401"),
            "2");

  // A disabled peer is refused too; Hà Nội keeps the catalogue it holds.
  const json good = held_in_province(has_token);
  auto admin = hub_admin();
  const auto path = "/admin/v1/peers/" + std::to_string(national_peer_id_);
  ASSERT_EQ(admin.patch(path, {{"status", "disabled"}}, admin.get(path).header("etag")).status,
            200);
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const json refused = held_in_province([](const json& held) { return held["error"].is_string(); });
  EXPECT_NE(refused["error"].get<std::string>().find("401"), std::string::npos) << refused.dump();
  EXPECT_EQ(refused["token"], good["token"]);
}

TEST_F(FederationCatalogue, ThePeerRegistrationRefusesWhatCannotWork) {
  auto hub = hub_admin();
  const json valid{{"instance", "VN-DN"},
                   {"name", "Đà Nẵng"},
                   {"exchange_url", "https://127.0.0.1:9"},
                   {"tls_ca_pem", read_text(pki_file("ca.crt"))},
                   {"client_fingerprint", fingerprint_of("TEST-OTHER")},
                   {"catalogue_key_pem", key_pem("dn.key")}};
  const auto with = [&](const std::string& field, const json& value) {
    json body = valid;
    body[field] = value;
    return hub.post("/admin/v1/peers", body);
  };
  const auto http = with("exchange_url", "http://127.0.0.1:9");
  EXPECT_EQ(http.status, 400);
  EXPECT_NE(http.body.find("HTTPS only"), std::string::npos) << http.body;
  // An EC public key is not an Ed25519 catalogue key.
  const auto ec_key = with("catalogue_key_pem", read_text(pki_file("ca.crt")));
  EXPECT_EQ(ec_key.status, 400);
  EXPECT_NE(ec_key.body.find("Ed25519"), std::string::npos) << ec_key.body;
  EXPECT_EQ(with("published_services", json::array({"VN/GOV/TEST.01"})).status, 400);
  EXPECT_EQ(with("client_fingerprint", "AB").status, 400);
  EXPECT_EQ(with("instance", "VN HN").status, 400);
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM peers WHERE instance = 'VN-DN'"), "0");
  // A member administrator may not see or register peers.
  auto member = AdminFixture::admin(token("member-admin", std::string(kProviderMember)));
  EXPECT_EQ(member.get("/admin/v1/peers").status, 403);
  EXPECT_EQ(member.post("/admin/v1/peers", valid).status, 403);
  EXPECT_EQ(hub.post("/admin/v1/peers", valid).status, 201);
}

}  // namespace
}  // namespace lienthong::testing

// Catalogues between two hubs (federation_fixture.hpp): each pulls the
// other's over mutual TLS and keeps the last valid one. What a peer may
// see, and every way a pull can fail, with what each hub records.
#include <thread>

#include "lienthong/net/tls_context.hpp"

#include "federation_fixture.hpp"
#include "loopback_server.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class FederationCatalogue : public FederationFixture {};

// A "peer" that refuses with bytes no database stores as text: a NUL and a
// byte that is not UTF-8.
class GarbledRefusal final : public net::HttpHandler {
 public:
  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest) override {
    co_return net::HttpResponse::with_body(403, std::string("no\0 \xff entry", 11), "text/plain");
  }
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest, Error error) override {
    co_return net::HttpResponse::with_body(error.http_status(), "{}");
  }
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
  const json refused = held_in_province(has_error);
  EXPECT_NE(refused["error"].get<std::string>().find("not by the peer's registered key"),
            std::string::npos)
      << refused.dump();
  EXPECT_EQ(refused["token"], good["token"]) << "the last valid catalogue is kept";
}

TEST_F(FederationCatalogue, APeersRefusalIsRecordedWhateverBytesItHolds) {
  const LoopbackServer liar(std::make_shared<GarbledRefusal>(),
                            net::make_server_tls_context({pki_file("hub.crt"), pki_file("hub.key"),
                                                          pki_file("foreign-ca.crt")}));
  province_db_->execute(
      "UPDATE peers SET exchange_url = 'https://127.0.0.1:" + std::to_string(liar.port()) + "'");
  ASSERT_TRUE(province_->reload_registry().has_value());
  const json refused = held_in_province([](const json& held) {
    return has_error(held) && held["error"].get<std::string>().find("403") != std::string::npos;
  });
  // Stored as text: the NUL and the stray byte replaced, the rest kept.
  const auto error = refused["error"].get<std::string>();
  EXPECT_NE(error.find("the peer answered 403: no\xEF\xBF\xBD \xEF\xBF\xBD entry"),
            std::string::npos)
      << refused.dump();
}

TEST_F(FederationCatalogue, APeerThatRefusesOurClientCertificateIsNamedAsSuch) {
  // The right server certificate, but a client CA that is not Hà Nội's: with
  // TLS 1.3 the refusal arrives as an alert where the answer should be.
  const LoopbackServer strict(
      std::make_shared<GarbledRefusal>(),
      net::make_server_tls_context({pki_file("hub.crt"), pki_file("hub.key"), pki_file("ca.crt")}));
  province_db_->execute(
      "UPDATE peers SET exchange_url = 'https://127.0.0.1:" + std::to_string(strict.port()) + "'");
  ASSERT_TRUE(province_->reload_registry().has_value());
  const json refused = held_in_province([](const json& held) {
    return has_error(held) &&
           held["error"].get<std::string>().find("unknown ca") != std::string::npos;
  });
  EXPECT_NE(refused["error"].get<std::string>().find("accept this hub's client certificate"),
            std::string::npos)
      << refused.dump();
}

TEST_F(FederationCatalogue, APeerServerOfAnotherCaIsNotThePeer) {
  // Hà Nội registered the national hub with the wrong CA (its own): the TLS
  // handshake fails before anything is asked, and nothing is held.
  register_national_in_province(read_text(pki_file("foreign-ca.crt")), key_pem("vn-catalogue.key"));
  const json refused = held_in_province(has_error);
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
  const json refused = held_in_province(has_error);
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

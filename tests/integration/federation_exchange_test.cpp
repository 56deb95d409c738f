// A Hà Nội system calls a national service through both hubs
// (federation_fixture.hpp): Hà Nội's hub authenticates it and passes the
// envelope on with its assertion; the national hub checks the assertion,
// then its own agreement for the Hà Nội system. Each hub commits its own
// audit record. And what is refused, where, and with which error.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>
#include <vector>

#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/federation/assertion_token.hpp"
#include "lienthong/net/tls_context.hpp"

#include "federation_fixture.hpp"
#include "hub_process.hpp"
#include "loopback_server.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class FederationExchange : public FederationFixture {
 protected:
  void SetUp() override {
    FederationFixture::SetUp();
    ASSERT_NO_FATAL_FAILURE(register_hanoi_system());
    ASSERT_NO_FATAL_FAILURE(register_hanoi_at_national());
    // Hà Nội's hub forwards only what the national catalogue it holds lists.
    held_in_province(has_token);
  }

  ClientResponse from_hanoi(const std::string& id, const std::string& to = kProvider,
                            const std::string& service = "echo") const {
    TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
    return hanoi.post("/exchange/v1/messages", envelope(id, kHanoiSystem, to, service));
  }
  static std::string audit_row(const TestDatabase& db, const std::string& message_id) {
    return db.scalar(
        "SELECT string_agg(concat_ws('|', status, coalesce(error_code, '-'), consumer, provider, "
        "service), ';') FROM audit_records WHERE message_id = '" +
        message_id + "'");
  }

  // A direct call on the national hub as Hà Nội's hub (its pinned client
  // certificate) with an assertion signed by `key`.
  ClientResponse as_hanoi_hub(const std::string& body, const std::string& assertion) const {
    TestClient peer(hub_->exchange_port(), "TEST-FOREIGN");
    return peer.request("POST", "/federation/v1/messages", body, "application/json",
                        {{std::string(federation::kAssertionHeader), assertion}});
  }
};

TEST_F(FederationExchange, AHanoiSystemReachesANationalServiceThroughBothHubs) {
  const auto answer = from_hanoi("fed-1");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto envelope = json::parse(answer.body);
  EXPECT_EQ(envelope["header"]["from"], kProvider);
  EXPECT_EQ(envelope["header"]["to"], kHanoiSystem);
  EXPECT_EQ(envelope["header"]["correlationId"], "fed-1");
  EXPECT_EQ(envelope["body"]["received"]["idNumber"], "001089012345") << "the provider's echo";

  // One record on each hub, the same message id, each naming the Hà Nội system.
  const std::string row = std::string("200|-|") + kHanoiSystem + "|" + kProvider + "|echo";
  EXPECT_EQ(audit_row(*province_db_, "fed-1"), row);
  EXPECT_EQ(audit_row(*database_, "fed-1"), row);
  // The national record was made for Hà Nội's hub (its certificate), and Hà
  // Nội's answer names the national record's request.
  EXPECT_EQ(
      database_->scalar("SELECT client_fingerprint FROM audit_records WHERE message_id = 'fed-1'"),
      fingerprint_of("TEST-FOREIGN"));
  EXPECT_EQ(answer.header("lienthong-peer-request-id"),
            database_->scalar("SELECT request_id FROM audit_records WHERE message_id = 'fed-1'"));
  EXPECT_NE(answer.header("x-request-id"), answer.header("lienthong-peer-request-id"));

  // The receipt: Hà Nội's record holds the national record's hash and
  // request id; both hold the assertion that crossed, each names the other hub.
  const auto field = [](const TestDatabase& db, const std::string& column) {
    return db.scalar("SELECT " + column + " FROM audit_records WHERE message_id = 'fed-1'");
  };
  const std::string national_hash = field(*database_, "record_hash");
  EXPECT_EQ(field(*province_db_, "downstream_record_hash"), national_hash);
  EXPECT_EQ(answer.header("lienthong-peer-record-hash"), national_hash);
  EXPECT_EQ(field(*province_db_, "downstream_request_id"), field(*database_, "request_id"));
  EXPECT_EQ(field(*province_db_, "downstream_instance"), "VN");
  EXPECT_EQ(field(*province_db_, "coalesce(upstream_instance, 'none')"), "none");
  EXPECT_EQ(field(*database_, "upstream_instance"), "VN-HN");
  const std::string assertion = field(*province_db_, "downstream_assertion");
  EXPECT_EQ(std::count(assertion.begin(), assertion.end(), '.'), 2) << "a compact JWS";
  EXPECT_EQ(field(*database_, "upstream_assertion"), assertion);
  EXPECT_EQ(field(*database_, "coalesce(downstream_record_hash, 'none')"), "none")
      << "the last hub has no receipt to keep";
}

// A "peer hub" that answers like one but shows no receipt of an audit record.
class NoReceipt final : public net::HttpHandler {
 public:
  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest) override {
    auto answer = net::HttpResponse::with_body(200, R"({"header":{},"body":{}})");
    answer.headers.push_back({"X-Request-Id", "unrecorded-1"});
    co_return answer;
  }
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest, Error error) override {
    co_return net::HttpResponse::with_body(error.http_status(), "{}");
  }
};

// A "peer hub" whose 429 carries a Retry-After that is not a number of seconds.
class OddRetryAfter final : public net::HttpHandler {
 public:
  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest) override {
    auto answer = net::HttpResponse::with_body(429, R"({"code":"Client.RateLimited"})",
                                               "application/problem+json");
    answer.headers.push_back({"Retry-After", "soon; see https://peer.example"});
    answer.headers.push_back({"Lienthong-Record-Hash", std::string(64, 'a')});
    co_return answer;
  }
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest, Error error) override {
    co_return net::HttpResponse::with_body(error.http_status(), "{}");
  }
};

TEST_F(FederationExchange, APeersRetryAfterReachesTheCallerOnlyAsSeconds) {
  const LoopbackServer odd(std::make_shared<OddRetryAfter>(),
                           net::make_server_tls_context({pki_file("hub.crt"), pki_file("hub.key"),
                                                         pki_file("foreign-ca.crt")}));
  province_db_->execute(
      "UPDATE peers SET exchange_url = 'https://127.0.0.1:" + std::to_string(odd.port()) + "'");
  ASSERT_TRUE(province_->reload_registry().has_value());
  const auto limited = from_hanoi("fed-15");
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.header("retry-after"), "") << "not delay-seconds: not passed on";
}

TEST_F(FederationExchange, APeersAnswerWithoutItsReceiptIsNotPassedOn) {
  const LoopbackServer unrecorded(
      std::make_shared<NoReceipt>(),
      net::make_server_tls_context(
          {pki_file("hub.crt"), pki_file("hub.key"), pki_file("foreign-ca.crt")}));
  // Hà Nội still holds the national catalogue; its calls now reach the impostor.
  province_db_->execute("UPDATE peers SET exchange_url = 'https://127.0.0.1:" +
                        std::to_string(unrecorded.port()) + "'");
  ASSERT_TRUE(province_->reload_registry().has_value());
  const auto refused = from_hanoi("fed-9");
  EXPECT_EQ(refused.status, 502) << refused.body;
  EXPECT_NE(refused.body.find("without the receipt of its audit record"), std::string::npos)
      << refused.body;
  EXPECT_EQ(audit_row(*province_db_, "fed-9"),
            std::string("502|Provider.BadResponse|") + kHanoiSystem + "|" + kProvider + "|echo");
}

TEST_F(FederationExchange, TheProvidersHubDecidesWithItsOwnAgreement) {
  database_->execute(
      "UPDATE agreements SET status = 'revoked' FROM systems c WHERE "
      "c.id = consumer_system_id AND c.system_code = 'DVC-HN'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const auto refused = from_hanoi("fed-2");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["code"], "Client.NoAgreement");
  // Refused at the national hub, audited there and, as what Hà Nội answered, in Hà Nội.
  EXPECT_EQ(audit_row(*database_, "fed-2"),
            std::string("403|Client.NoAgreement|") + kHanoiSystem + "|" + kProvider + "|echo");
  EXPECT_EQ(audit_row(*province_db_, "fed-2"),
            std::string("403|Client.NoAgreement|") + kHanoiSystem + "|" + kProvider + "|echo");
}

TEST_F(FederationExchange, TheProviderHubsLimitsReachTheCallerWithTheirRetryAfter) {
  database_->execute(
      "UPDATE agreements SET rate_limit_per_minute = 1 FROM systems c WHERE "
      "c.id = consumer_system_id AND c.system_code = 'DVC-HN'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  ASSERT_EQ(from_hanoi("fed-10").status, 200);
  const auto limited = from_hanoi("fed-11");
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(json::parse(limited.body)["code"], "Client.RateLimited");
  EXPECT_FALSE(limited.header("retry-after").empty()) << "the national hub's Retry-After, relayed";
  EXPECT_EQ(audit_row(*province_db_, "fed-11").substr(0, 23), "429|Client.RateLimited|");
}

// Hà Nội's hub holds the request schema the national catalogue lists, and
// refuses a body that breaks it before the hop: nothing reaches the national hub.
TEST_F(FederationExchange, ABodyAgainstThePeersRequestSchemaIsRefusedBeforeTheHop) {
  database_->execute(
      "INSERT INTO json_schemas (name, version, document, created_by) VALUES ('id-request', '1', "
      "'{\"type\": \"object\", \"required\": [\"idNumber\"], \"properties\": "
      "{\"idNumber\": {\"type\": \"string\", \"pattern\": \"^[0-9]{12}$\"}}}', 'test');"
      "UPDATE services SET request_schema_id = (SELECT id FROM json_schemas WHERE name = "
      "'id-request') WHERE service_code = 'echo'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  held_in_province([](const json& held) {
    return held.contains("services") && held["services"].is_array() && !held["services"].empty() &&
           held["services"][0].contains("request_schema") &&
           !held["services"][0]["request_schema"].is_null();
  });
  TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
  const auto refused =
      hanoi.post("/exchange/v1/messages",
                 envelope("fed-13", kHanoiSystem, kProvider, "echo", R"({"idNumber":"12AB"})"));
  EXPECT_EQ(refused.status, 400) << refused.body;
  const json problem = json::parse(refused.body);
  EXPECT_EQ(problem["code"], "Client.SchemaViolation");
  EXPECT_EQ(problem["errors"][0]["pointer"], "/body/idNumber") << refused.body;
  EXPECT_EQ(audit_row(*province_db_, "fed-13").substr(0, 27), "400|Client.SchemaViolation|");
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records WHERE message_id = 'fed-13'"),
            "0")
      << "refused before the hop";
  EXPECT_EQ(from_hanoi("fed-14").status, 200) << "a body that meets it still goes through";
}

TEST_F(FederationExchange, OnlyPublishedServicesAreReachable) {
  // "slow" is registered nationally, with an agreement for DVC-HN, but not
  // published to VN-HN.
  database_->execute(
      "INSERT INTO agreements (consumer_system_id, provider_system_id, service_code, purpose, "
      "legal_basis, status, requested_by, status_changed_by) SELECT c.id, p.id, 'slow', 'test', "
      "'test', 'approved', 'fixture', 'fixture' FROM systems c, systems p WHERE c.system_code = "
      "'DVC-HN' AND p.system_code = 'TEST-PROVIDER';");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  // Hà Nội's hub does not forward what the national catalogue does not list...
  const auto refused = from_hanoi("fed-3", kProvider, "slow");
  EXPECT_EQ(refused.status, 404) << refused.body;
  EXPECT_NE(refused.body.find("peer hub VN publishes no service"), std::string::npos)
      << refused.body;
  EXPECT_EQ(audit_row(*province_db_, "fed-3").substr(0, 4), "404|");
  EXPECT_EQ(audit_row(*database_, "fed-3"), "NULL") << "never forwarded";
  // ...and the national hub refuses it too, whatever a peer sends.
  const std::string body = envelope("fed-3b", kHanoiSystem, kProvider, "slow");
  auto claims = vouching(body, "fed-3b");
  claims.service = std::string(kProvider) + "/slow/v1";
  const auto direct = as_hanoi_hub(body, signed_by("hn-catalogue.key", claims));
  EXPECT_EQ(direct.status, 404) << direct.body;
  EXPECT_NE(direct.body.find("published to VN-HN"), std::string::npos) << direct.body;
}

TEST_F(FederationExchange, TheCatalogListsWhatPeersPublishWithTheirInstance) {
  TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
  const auto answer = hanoi.request("GET", "/exchange/v1/catalog", "");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto catalog = json::parse(answer.body);
  ASSERT_EQ(catalog["remoteServices"].size(), 1u) << answer.body;
  const auto& echo = catalog["remoteServices"][0];
  EXPECT_EQ(echo["instance"], "VN");
  EXPECT_EQ(echo["provider"], kProvider);
  EXPECT_EQ(echo["service"], "echo");
  EXPECT_EQ(echo["version"], "v1");
  EXPECT_TRUE(catalog["services"].empty()) << "no local agreements in Hà Nội";
}

TEST_F(FederationExchange, WithoutAValidCatalogueOfThePeerNothingIsForwarded) {
  // Registered anew with the wrong CA: its pulls fail, and no catalogue is
  // held for it, so the call is refused before anything reaches the peer.
  register_national_in_province(read_text(pki_file("foreign-ca.crt")), key_pem("vn-catalogue.key"));
  const auto refused = from_hanoi("fed-9");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("no valid catalogue of peer hub VN"), std::string::npos)
      << refused.body;
  EXPECT_FALSE(refused.header("retry-after").empty());
  EXPECT_EQ(audit_row(*database_, "fed-9"), "NULL");
}

TEST_F(FederationExchange, AnInstanceWithoutAPeerIsRefusedAtTheFirstHub) {
  const auto refused = from_hanoi("fed-4", "VN-XX/GOV/000.00.01.H99/SYS");
  EXPECT_EQ(refused.status, 404) << refused.body;
  EXPECT_NE(refused.body.find("no peer hub of instance VN-XX"), std::string::npos);
  EXPECT_EQ(audit_row(*province_db_, "fed-4").substr(0, 4), "404|");
}

// Hà Nội's administrator decides which of Hà Nội's systems may reach which
// national services; the national hub never sees what they keep back.
TEST_F(FederationExchange, TheCallersHubAppliesItsOwnOutboundRulesFirst) {
  const auto set_rules = [this](const std::string& rules) {
    province_db_->execute("UPDATE peers SET outbound_rules = '" + rules + "'");
    ASSERT_TRUE(province_->reload_registry().has_value());
  };
  ASSERT_NO_FATAL_FAILURE(set_rules("[]"));
  const auto closed = from_hanoi("fed-out-1");
  EXPECT_EQ(closed.status, 403) << closed.body;
  EXPECT_EQ(json::parse(closed.body)["code"], "Client.NoAgreement");
  EXPECT_NE(closed.body.find("outbound rules for peer hub VN"), std::string::npos) << closed.body;
  EXPECT_EQ(audit_row(*province_db_, "fed-out-1").substr(0, 23), "403|Client.NoAgreement|");
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records WHERE message_id = 'fed-out-1'"),
            "0")
      << "kept back at Hà Nội's hub";

  // Another system of the same member, or another service: still kept back.
  ASSERT_NO_FATAL_FAILURE(
      set_rules(R"([{"consumer": "VN-HN/GOV/000.00.01.H26/OTHER", "service": "*"},
      {"consumer": "*", "service": "VN/GOV/TEST.01/TEST-PROVIDER/slow"}])"));
  EXPECT_EQ(from_hanoi("fed-out-2").status, 403);
  // The member's rule covers its systems.
  ASSERT_NO_FATAL_FAILURE(set_rules(
      R"([{"consumer": "VN-HN/GOV/000.00.01.H26", "service": "VN/GOV/TEST.01/TEST-PROVIDER/echo"}])"));
  EXPECT_EQ(from_hanoi("fed-out-3").status, 200);
  ASSERT_NO_FATAL_FAILURE(set_rules(R"([{"consumer": "VN-HN/GOV/000.00.01.H2", "service": "*"}])"));
  EXPECT_EQ(from_hanoi("fed-out-4").status, 403) << "a member key is not a text prefix";
}

// The national administrator's side of the same field, through the admin API.
TEST_F(FederationExchange, OutboundRulesAreCheckedWhenWritten) {
  auto admin = hub_admin();
  const auto path = "/admin/v1/peers/" + std::to_string(national_peer_id_);
  const auto current = admin.get(path);
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(AdminClient::json_of(current)["outbound_rules"],
            json::parse(R"([{"consumer": "*", "service": "*"}])"))
      << "every system, every service the peer offers: the default";
  for (const json& bad :
       {json("everyone"), json::parse(R"([{"consumer": "nobody", "service": "*"}])"),
        json::parse(R"([{"consumer": "*", "service": "VN/GOV"}])"),
        json::parse(R"([{"consumer": "*"}])"),
        json::parse(R"([{"consumer": "*", "service": "*", "extra": 1}])")}) {
    const auto refused = admin.patch(path, {{"outbound_rules", bad}}, current.header("etag"));
    EXPECT_EQ(refused.status, 400) << bad.dump() << " " << refused.body;
  }
  const json rules = json::parse(R"([{"consumer": "VN/GOV/TEST.01", "service": "*"}])");
  const auto changed = admin.patch(path, {{"outbound_rules", rules}}, current.header("etag"));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(AdminClient::json_of(admin.get(path))["outbound_rules"], rules);
}

// The connectivity index shows the federation: each peer with its
// catalogue's freshness and its systems' traffic, and traffic by instance.
TEST_F(FederationExchange, TheConnectivityIndexShowsPeersAndTrafficAcrossInstances) {
  ASSERT_EQ(from_hanoi("fed-conn-1").status, 200);
  ASSERT_EQ(from_hanoi("fed-conn-2").status, 200);
  // The national hub's first pull of Hà Nội's catalogue may have come before
  // Hà Nội registered it (refused); it pulls again every second.
  json document;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  do {
    const auto graph = hub_admin().get("/audit/v1/connectivity?days=7");
    ASSERT_EQ(graph.status, 200) << graph.body;
    document = AdminClient::json_of(graph);
    const auto& peers = document["peers"];
    if (peers.size() == 1 && peers[0]["catalogue"].is_object() &&
        peers[0]["catalogue"]["fresh"] == true)
      break;
    std::this_thread::sleep_for(100ms);
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(document["peers"].size(), 1u) << document["peers"].dump();
  const json& peer = document["peers"][0];
  EXPECT_EQ(peer["instance"], "VN-HN");
  EXPECT_EQ(peer["status"], "active");
  EXPECT_EQ(peer["exchanges_in"], 2) << "the Hà Nội system's calls";
  EXPECT_EQ(peer["exchanges_out"], 0);
  ASSERT_TRUE(peer["catalogue"].is_object()) << peer.dump();
  EXPECT_TRUE(peer["catalogue"]["fresh"].get<bool>()) << "the national hub holds Hà Nội's";
  bool across = false;
  for (const auto& pair : document["instances"])
    across = across || (pair["consumer_instance"] == "VN-HN" && pair["provider_instance"] == "VN" &&
                        pair["exchanges"] == 2);
  EXPECT_TRUE(across) << document["instances"].dump();

  // An auditor of one member sees its own traffic, not the hub's peers.
  auto member_auditor = admin(token("auditor", "VN/GOV/TEST.01"));
  const auto scoped = member_auditor.get("/audit/v1/connectivity?days=7");
  ASSERT_EQ(scoped.status, 200) << scoped.body;
  EXPECT_TRUE(AdminClient::json_of(scoped)["peers"].empty());
}

TEST_F(FederationExchange, ForgedReplayedOrAlteredAssertionsAreRefused) {
  const std::string body = envelope("fed-5", kHanoiSystem, kProvider, "echo");
  const auto claims = vouching(body, "fed-5");

  const auto none = as_hanoi_hub(body, "");
  EXPECT_EQ(none.status, 401) << none.body;
  const auto forged = as_hanoi_hub(body, signed_by("someone-else.key", claims));
  EXPECT_EQ(forged.status, 401);
  EXPECT_NE(forged.body.find("not by the peer's registered key"), std::string::npos) << forged.body;

  const std::string genuine = signed_by("hn-catalogue.key", claims);
  const auto altered = as_hanoi_hub(
      envelope("fed-5", kHanoiSystem, kProvider, "echo", R"({"idNumber":"001089099999"})"),
      genuine);
  EXPECT_EQ(altered.status, 401);
  EXPECT_NE(altered.body.find("not the one the peer vouched for"), std::string::npos);

  const auto first = as_hanoi_hub(body, genuine);
  EXPECT_EQ(first.status, 200) << first.body;
  const auto again = as_hanoi_hub(body, genuine);
  EXPECT_EQ(again.status, 401) << again.body;
  EXPECT_NE(again.body.find("a replay"), std::string::npos);

  // The assertion vouches for one message: another id under it is refused.
  auto other = claims;
  other.token_id = "t-fed-6";
  const std::string other_body = envelope("fed-6", kHanoiSystem, kProvider, "echo");
  other.body_sha256 = sha256_hex(other_body);
  const auto mismatch = as_hanoi_hub(other_body, signed_by("hn-catalogue.key", other));
  EXPECT_EQ(mismatch.status, 401) << mismatch.body;
  EXPECT_NE(mismatch.body.find("not what VN-HN vouched for"), std::string::npos);

  // A member system's certificate is not a peer's, whatever it carries.
  TestClient member(hub_->exchange_port(), "TEST-CONSUMER");
  auto fresh = claims;
  fresh.token_id = "t-fed-7";
  EXPECT_EQ(member
                .request("POST", "/federation/v1/messages", body, "application/json",
                         {{std::string(federation::kAssertionHeader),
                           signed_by("hn-catalogue.key", fresh)}})
                .status,
            401);
  // Every refusal is audited on the national hub, and each answer to the
  // peer carries the receipt of the record that says so.
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records WHERE path = "
                              "'/federation/v1/messages' AND status = 401"),
            "6");
  EXPECT_EQ(forged.header("lienthong-record-hash"),
            database_->scalar("SELECT record_hash FROM audit_records WHERE path = "
                              "'/federation/v1/messages' AND upstream_assertion = '" +
                              signed_by("someone-else.key", claims) + "'"));
  EXPECT_EQ(none.header("lienthong-record-hash").size(), 64u);
}

TEST_F(FederationExchange, ANationalHubThatIsDownIsA503WithRetryAfterAtTheFirstHub) {
  hub_.reset();
  const auto refused = from_hanoi("fed-8");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("peer hub VN"), std::string::npos) << refused.body;
  EXPECT_FALSE(refused.header("retry-after").empty());
  EXPECT_EQ(audit_row(*province_db_, "fed-8").substr(0, 25), "503|Provider.Unavailable|");
}

// A national node killed (SIGKILL) while Hà Nội passes exchanges to it:
// every 200 Hà Nội answered holds the national record's hash, and that
// record is committed in the national database. No 200 crossed a hub that
// did not record it.
TEST_F(FederationExchange, ANationalNodeKilledMidLoadLeavesNo200WithoutItsRecord) {
  HubProcessOptions options;
  options.settings = {{"FEDERATION_INSTANCE", "VN"},
                      {"FEDERATION_SIGNING_KEY", (directory_ / "vn-catalogue.key").string()},
                      {"FEDERATION_CLIENT_CERTIFICATE", pki_file("HUB-VN.crt")},
                      {"FEDERATION_CLIENT_KEY", pki_file("HUB-VN.key")},
                      {"TLS_CLIENT_CA", (directory_ / "client-cas.crt").string()},
                      {"EXCHANGE_THREADS", "2"}};
  auto doomed = std::make_unique<HubProcess>("vn-doomed", database_->url(), options);
  province_db_->execute("UPDATE peers SET exchange_url = 'https://127.0.0.1:" +
                        std::to_string(doomed->exchange_port()) + "'");
  ASSERT_TRUE(province_->reload_registry().has_value());

  std::mutex mutex;
  std::vector<std::string> answered;
  std::atomic<int> refused{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 500 && !stop; ++i) {
        const std::string id = "kill-" + std::to_string(t) + "-" + std::to_string(i);
        if (from_hanoi(id).status == 200) {
          const std::lock_guard lock(mutex);
          answered.push_back(id);
        } else {
          ++refused;
        }
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      const std::lock_guard lock(mutex);
      if (answered.size() >= 20)
        break;
    }
    std::this_thread::sleep_for(20ms);
  }
  doomed->send_signal(SIGKILL);
  ASSERT_EQ(doomed->wait_for_exit(5s), 128 + SIGKILL);
  std::this_thread::sleep_for(500ms);  // calls go on against the dead node
  stop = true;
  for (auto& sender : senders)
    sender.join();

  ASSERT_GE(answered.size(), 20u) << "the test needs answers before the kill";
  EXPECT_GT(refused.load(), 0) << "nothing was refused after the kill";
  for (const auto& id : answered) {
    const std::string receipt = province_db_->scalar(
        "SELECT coalesce(string_agg(downstream_record_hash, ','), '') FROM audit_records WHERE "
        "message_id = '" +
        id + "' AND status = 200");
    ASSERT_EQ(receipt.size(), 64u) << id << ": " << receipt;
    EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records WHERE record_hash = '" +
                                receipt + "' AND message_id = '" + id + "' AND status = 200"),
              "1")
        << id << " was answered 200 without the national record its receipt names";
  }
}

// One peer hub's exchanges in flight on a node are bounded
// (federation.max_concurrent_per_peer), here to one: those it passes
// through us hold no slot of a system of ours, so without this bound one
// province could take every place the node has.
class FederationPeerLimit : public FederationExchange {
 protected:
  void configure(Config& config) override {
    FederationExchange::configure(config);
    config.federation.max_concurrent_per_peer = 1;
  }
};

TEST_F(FederationPeerLimit, APeersExchangesInFlightAreBounded) {
  database_->execute(
      "UPDATE peers SET published_services = published_services || "
      "ARRAY['VN/GOV/TEST.01/TEST-PROVIDER/slow'];"
      "INSERT INTO agreements (consumer_system_id, provider_system_id, service_code, purpose, "
      "legal_basis, status, requested_by, status_changed_by) SELECT c.id, p.id, 'slow', "
      "'integration test', 'test', 'approved', 'fixture', 'fixture' FROM systems c, systems p "
      "WHERE c.system_code = 'DVC-HN' AND p.system_code = 'TEST-PROVIDER';"
      // The held call waits while the second is refused and audited: no
      // service timeout (the fixture's 300 ms) may end it first, not even
      // on a loaded sanitizer run (a 504 there, once).
      "UPDATE services SET timeout_ms = 30000 WHERE service_code = 'slow';");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  provider_->hold_slow();
  const std::string held_body = envelope("fed-limit-1", kHanoiSystem, kProvider, "slow");
  auto held_claims = vouching(held_body, "fed-limit-1");
  held_claims.service = std::string(kProvider) + "/slow/v1";
  ClientResponse held;
  std::thread first(
      [&] { held = as_hanoi_hub(held_body, signed_by("hn-catalogue.key", held_claims)); });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (provider_->calls() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  ASSERT_EQ(provider_->calls(), 1) << "the first exchange is at the provider";

  const std::string body = envelope("fed-limit-2", kHanoiSystem, kProvider, "echo");
  const auto refused =
      as_hanoi_hub(body, signed_by("hn-catalogue.key", vouching(body, "fed-limit-2")));
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["code"], "Client.ConcurrencyLimit");
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_FALSE(refused.header("lienthong-record-hash").empty()) << "audited, with its receipt";
  EXPECT_EQ(audit_row(*database_, "fed-limit-2").substr(0, 27), "429|Client.ConcurrencyLimit");

  provider_->release_slow();
  first.join();
  EXPECT_EQ(held.status, 200) << held.body;
  // Its place is given back once it is answered.
  const std::string again = envelope("fed-limit-3", kHanoiSystem, kProvider, "echo");
  EXPECT_EQ(
      as_hanoi_hub(again, signed_by("hn-catalogue.key", vouching(again, "fed-limit-3"))).status,
      200);
}

}  // namespace
}  // namespace lienthong::testing

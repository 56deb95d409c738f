// An X-Road REST (r1) client of Hà Nội's platform calls a national service
// through both hubs, as it would call one of Hà Nội's own: the same /r1/
// target and headers (federation_fixture.hpp). Hà Nội's hub passes the
// request on with its assertion, which also names the method and path; the
// national hub checks it, then its own agreement (methods and paths
// included). Each hub commits its own record; the answer carries the receipt.
#include <nlohmann/json.hpp>

#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/federation/assertion_token.hpp"

#include "federation_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class FederationXRoad : public FederationFixture {
 protected:
  void SetUp() override {
    FederationFixture::SetUp();
    ASSERT_NO_FATAL_FAILURE(register_hanoi_system());
    // At the national hub: the Hà Nội system and its agreement, for GET and
    // POST under /pets/.
    ASSERT_NO_FATAL_FAILURE(register_hanoi_at_national());
    database_->execute(
        "UPDATE agreements SET allowed_methods = '{GET,POST}', path_patterns = '{/pets/*}' "
        "FROM systems c WHERE c.id = consumer_system_id AND c.system_code = 'DVC-HN'");
    ASSERT_TRUE(hub_->reload_registry().has_value());
    held_in_province(has_token);
  }

  static std::map<std::string, std::string> xroad_headers(const std::string& id) {
    return {{"X-Road-Client", kHanoiSystem},     {"X-Road-Id", id},
            {"X-Road-UserId", "VN001089012345"}, {"X-Road-Issue", "HS-2026-0042"},
            {"X-Custom-Trace", "abc"},           {"Accept", "application/json"}};
  }
  ClientResponse from_hanoi(const std::string& method, const std::string& path,
                            std::map<std::string, std::string> headers,
                            const std::string& body = "") const {
    TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
    return hanoi.request(method, std::string("/r1/") + kProvider + "/echo" + path, body,
                         body.empty() ? "" : "application/json", headers);
  }
  static std::string field(const TestDatabase& db, const std::string& id,
                           const std::string& column) {
    return db.scalar("SELECT " + column + " FROM audit_records WHERE message_id = '" + id + "'");
  }

  // A request on the national hub as Hà Nội's hub (its pinned certificate).
  ClientResponse as_hanoi_hub(const std::string& method, const std::string& path,
                              const std::map<std::string, std::string>& headers) const {
    TestClient peer(hub_->exchange_port(), "TEST-FOREIGN");
    return peer.request(method, std::string("/federation/v1/r1/") + kProvider + "/echo" + path, "",
                        "", headers);
  }
  // Hà Nội's hub vouching for the r1 request `id` with `operation` (no body).
  federation::AssertionClaims vouching_r1(const std::string& id,
                                          const std::string& operation) const {
    auto claims = vouching("", id);
    claims.purpose = "";
    claims.operation = operation;
    return claims;
  }
  std::map<std::string, std::string> vouched_headers(
      const federation::AssertionClaims& claims) const {
    return {{"X-Road-Client", kHanoiSystem},
            {"X-Road-Id", claims.message_id},
            {"X-Road-UserId", claims.user_id},
            {"X-Lienthong-Service-Version", "v1"},
            {std::string(federation::kAssertionHeader), signed_by("hn-catalogue.key", claims)}};
  }
};

TEST_F(FederationXRoad, AnXRoadRestClientReachesANationalServiceThroughBothHubs) {
  auto headers = xroad_headers("r1-fed-1");
  // A caller cannot speak for its hub: its own assertion header is dropped.
  headers["Lienthong-Assertion"] = "forged.by.caller";
  const auto answer = from_hanoi("GET", "/pets/7?kind=cat", headers);
  ASSERT_EQ(answer.status, 200) << answer.body;

  // The provider saw the call as from the Hà Nội system, with the caller's headers.
  const auto provider = json::parse(answer.body);
  const auto& seen = provider["headers"];
  EXPECT_EQ(seen["X-Road-Client"], kHanoiSystem);
  EXPECT_EQ(seen["X-Road-Id"], "r1-fed-1");
  EXPECT_EQ(seen["X-Road-UserId"], "VN001089012345");
  EXPECT_EQ(seen["X-Road-Issue"], "HS-2026-0042");
  EXPECT_EQ(seen["X-Custom-Trace"], "abc");
  EXPECT_FALSE(seen.contains("Lienthong-Assertion")) << seen.dump();
  const auto received = provider_->received();
  ASSERT_FALSE(received.empty());
  EXPECT_EQ(received.back().method, "GET");
  EXPECT_EQ(received.back().target, "/api/echo/pets/7?kind=cat");

  // X-Road's answer headers are Hà Nội's: its request id, the hash of what it received.
  EXPECT_EQ(answer.header("x-road-id"), "r1-fed-1");
  EXPECT_EQ(answer.header("x-road-client"), kHanoiSystem);
  EXPECT_EQ(answer.header("x-road-service"), std::string(kProvider) + "/echo");
  EXPECT_EQ(answer.header("x-road-request-id"), field(*province_db_, "r1-fed-1", "request_id"));
  EXPECT_EQ(answer.header("x-road-request-hash").size(), 88u);
  EXPECT_EQ(answer.header("lienthong-record-hash"), "") << "a receipt is for peers only";

  // One record on each hub; the national one holds the assertion Hà Nội
  // signed, which names the operation; Hà Nội's holds the national receipt.
  for (const TestDatabase* db : {province_db_.get(), database_.get()}) {
    EXPECT_EQ(field(*db, "r1-fed-1",
                    "concat_ws('|', status, consumer, provider, service, "
                    "service_version, method, user_id)"),
              std::string("200|") + kHanoiSystem + "|" + kProvider + "|echo|v1|GET|VN001089012345");
  }
  EXPECT_EQ(field(*database_, "r1-fed-1", "path"),
            std::string("/federation/v1/r1/") + kProvider + "/echo/pets/7");
  EXPECT_EQ(field(*database_, "r1-fed-1", "purpose"), "X-Road-Issue: HS-2026-0042");
  const std::string national_hash = field(*database_, "r1-fed-1", "record_hash");
  EXPECT_EQ(field(*province_db_, "r1-fed-1", "downstream_record_hash"), national_hash);
  EXPECT_EQ(answer.header("lienthong-peer-record-hash"), national_hash);
  EXPECT_EQ(field(*province_db_, "r1-fed-1", "downstream_request_id"),
            field(*database_, "r1-fed-1", "request_id"));
  const std::string assertion = field(*province_db_, "r1-fed-1", "downstream_assertion");
  EXPECT_EQ(field(*database_, "r1-fed-1", "upstream_assertion"), assertion);
  EXPECT_NE(assertion, "forged.by.caller");
}

TEST_F(FederationXRoad, AProviderCannotForgeTheNationalHubsReceipt) {
  const auto answer = from_hanoi("GET", "/pets/forged-receipt", xroad_headers("r1-fed-2"));
  ASSERT_EQ(answer.status, 200) << answer.body;
  const std::string national_hash = field(*database_, "r1-fed-2", "record_hash");
  EXPECT_EQ(field(*province_db_, "r1-fed-2", "downstream_record_hash"), national_hash)
      << "the receipt is the national hub's, not the provider's header";
  EXPECT_EQ(answer.header("lienthong-peer-record-hash"), national_hash);
  EXPECT_EQ(answer.header("lienthong-record-hash"), "");
}

TEST_F(FederationXRoad, TheNationalAgreementDecidesMethodsAndPathsAndRefusalsComeBackTheXRoadWay) {
  const auto refused = from_hanoi("DELETE", "/pets/7", xroad_headers("r1-fed-3"));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.header("x-road-error"), "Client.OperationNotAllowed");
  EXPECT_EQ(json::parse(refused.body)["type"], "Client.OperationNotAllowed");
  EXPECT_EQ(refused.header("x-road-id"), "r1-fed-3");
  EXPECT_EQ(refused.header("x-road-request-id"), field(*province_db_, "r1-fed-3", "request_id"));
  for (const TestDatabase* db : {province_db_.get(), database_.get()})
    EXPECT_EQ(field(*db, "r1-fed-3", "concat_ws('|', status, error_code, method)"),
              "403|Client.OperationNotAllowed|DELETE");
  EXPECT_EQ(provider_->calls(), 0);

  const auto outside = from_hanoi("GET", "/owners/7", xroad_headers("r1-fed-4"));
  EXPECT_EQ(outside.status, 403) << outside.body;
  EXPECT_EQ(outside.header("x-road-error"), "Client.OperationNotAllowed");
  EXPECT_EQ(provider_->calls(), 0);
}

TEST_F(FederationXRoad, AServiceTheNationalCatalogueDoesNotListStaysAtTheFirstHub) {
  TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
  const auto refused = hanoi.request("GET", std::string("/r1/") + kProvider + "/slow/x", "", "",
                                     xroad_headers("r1-fed-5"));
  EXPECT_EQ(refused.status, 404) << refused.body;
  EXPECT_EQ(refused.header("x-road-error"), "Client.UnknownService");
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records WHERE message_id = 'r1-fed-5'"),
            "0");
  // A version the catalogue does not list, named: refused there too.
  auto headers = xroad_headers("r1-fed-6");
  headers["X-Lienthong-Service-Version"] = "v9";
  EXPECT_EQ(from_hanoi("GET", "/pets/7", headers).status, 404);
}

TEST_F(FederationXRoad, TheCallersHubsOutboundRulesHoldForXRoadRestToo) {
  province_db_->execute("UPDATE peers SET outbound_rules = '[]'");
  ASSERT_TRUE(province_->reload_registry().has_value());
  const auto refused = from_hanoi("GET", "/pets/7", xroad_headers("r1-fed-out"));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.header("x-road-error"), "Client.NoAgreement");
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records WHERE message_id = 'r1-fed-out'"),
            "0");
}

TEST_F(FederationXRoad, AnAssertionVouchesForOneOperationOnly) {
  // Vouched for GET /pets/7, sent as DELETE /pets/7: refused before any agreement.
  auto claims = vouching_r1("r1-fed-7", "GET /pets/7");
  const auto other_method = as_hanoi_hub("DELETE", "/pets/7", vouched_headers(claims));
  EXPECT_EQ(other_method.status, 401) << other_method.body;
  EXPECT_EQ(other_method.header("x-road-error"), "Client.Unauthenticated");
  EXPECT_FALSE(other_method.header("lienthong-record-hash").empty()) << "refusals carry receipts";

  claims = vouching_r1("r1-fed-8", "GET /pets/7");
  EXPECT_EQ(as_hanoi_hub("GET", "/pets/8", vouched_headers(claims)).status, 401) << "other path";
  claims = vouching_r1("r1-fed-9", "");
  EXPECT_EQ(as_hanoi_hub("GET", "/pets/7", vouched_headers(claims)).status, 401)
      << "an envelope's assertion names no operation";
  claims = vouching_r1("r1-fed-10", "GET /pets/7");
  auto headers = vouched_headers(claims);
  headers["X-Road-UserId"] = "someone-else";
  EXPECT_EQ(as_hanoi_hub("GET", "/pets/7", headers).status, 401) << "another user";

  // An r1 assertion does not open the envelope endpoint either.
  TestClient peer(hub_->exchange_port(), "TEST-FOREIGN");
  claims = vouching_r1("r1-fed-11", "POST /pets/7");
  const std::string body = envelope("r1-fed-11", kHanoiSystem, kProvider, "echo");
  claims.body_sha256 = sha256_hex(body);
  const auto envelope_answer = peer.request(
      "POST", "/federation/v1/messages", body, "application/json",
      {{std::string(federation::kAssertionHeader), signed_by("hn-catalogue.key", claims)}});
  EXPECT_EQ(envelope_answer.status, 401) << envelope_answer.body;
  EXPECT_EQ(provider_->calls(), 0);

  // What it vouched for, exactly: through.
  claims = vouching_r1("r1-fed-12", "GET /pets/7");
  const auto vouched = as_hanoi_hub("GET", "/pets/7", vouched_headers(claims));
  EXPECT_EQ(vouched.status, 200) << vouched.body;
  EXPECT_EQ(provider_->calls(), 1);
}

TEST_F(FederationXRoad, MetaservicesAreNotAskedThroughAPeer) {
  auto claims = vouching_r1("r1-fed-13", "GET ");
  claims.service = std::string(kProvider) + "/listMethods/v1";
  auto headers = vouched_headers(claims);
  TestClient peer(hub_->exchange_port(), "TEST-FOREIGN");
  const auto refused = peer.request(
      "GET", std::string("/federation/v1/r1/") + kProvider + "/listMethods", "", "", headers);
  EXPECT_EQ(refused.status, 404) << refused.body;
  EXPECT_EQ(refused.header("x-road-error"), "Client.UnknownService");
}

}  // namespace
}  // namespace lienthong::testing

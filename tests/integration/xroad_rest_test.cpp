// X-Road Message Protocol for REST (r1): an X-Road REST client's request,
// with its headers, goes through Lienthong unchanged, and refusals come back
// in X-Road's error form.
#include <set>

#include <nlohmann/json.hpp>

#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class XRoadRest : public HubFixture {
 protected:
  void SetUp() override {
    HubFixture::SetUp();
    database_->execute(
        "UPDATE agreements SET allowed_methods = '{GET,POST}', path_patterns = '{/pets/*}' "
        "WHERE service_code = 'echo' AND consumer_system_id = "
        "(SELECT id FROM systems WHERE system_code = 'TEST-CONSUMER')");
    ASSERT_TRUE(hub_->reload_registry().has_value());
  }

  ClientResponse call(const std::string& method, const std::string& target,
                      std::map<std::string, std::string> headers, const std::string& body = "") {
    auto consumer = client();
    return consumer.request(method, target, body, body.empty() ? "" : "application/json", headers);
  }

  static std::map<std::string, std::string> xroad_headers() {
    return {{"X-Road-Client", kConsumer},     {"X-Road-UserId", "VN001089012345"},
            {"X-Road-Issue", "HS-2026-0042"}, {"X-Lienthong-Purpose", "building permit"},
            {"X-Custom-Trace", "abc"},        {"Accept", "application/json"}};
  }

  void expect_xroad_error(const ClientResponse& response, int status, const std::string& type) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.header("x-road-error"), type);
    const auto body = json::parse(response.body);
    EXPECT_EQ(body["type"], type);
    EXPECT_FALSE(body["message"].get<std::string>().empty());
    EXPECT_FALSE(body["detail"].get<std::string>().empty());
    EXPECT_EQ(provider_->calls(), 0);
  }
};

TEST_F(XRoadRest, AnXRoadRestCallReachesTheProviderWithItsHeaders) {
  const std::string target = std::string("/r1/") + kProvider + "/echo/pets/7?kind=cat&age=2";
  const auto response = call("GET", target, xroad_headers());
  ASSERT_EQ(response.status, 200) << response.body;

  const std::string message_id = response.header("x-road-id");
  EXPECT_FALSE(message_id.empty());
  EXPECT_EQ(response.header("x-road-client"), kConsumer);
  EXPECT_EQ(response.header("x-road-service"), std::string(kProvider) + "/echo");
  EXPECT_FALSE(response.header("x-road-request-id").empty());
  const auto hash = response.header("x-road-request-hash");
  EXPECT_EQ(hash.size(), 88u);  // base64 of a 64-byte SHA-512
  EXPECT_EQ(hash.substr(86), "==");
  EXPECT_TRUE(response.header("x-road-error").empty());

  ASSERT_EQ(provider_->calls(), 1);
  const auto received = provider_->received().at(0);
  EXPECT_EQ(received.method, "GET");
  EXPECT_EQ(received.target, "/api/echo/pets/7?kind=cat&age=2");
  EXPECT_EQ(received.header("X-Road-Client"), kConsumer);
  EXPECT_EQ(received.header("X-Road-Service"), std::string(kProvider) + "/echo");
  EXPECT_EQ(received.header("X-Road-Id"), message_id);
  EXPECT_EQ(received.header("X-Road-UserId"), "VN001089012345");
  EXPECT_EQ(received.header("X-Road-Issue"), "HS-2026-0042");
  EXPECT_EQ(received.header("X-Custom-Trace"), "abc");
  EXPECT_EQ(received.header("X-Lienthong-Purpose"), "building permit");
  EXPECT_EQ(received.header("User-Agent"), "");

  EXPECT_EQ(audit_summary(message_id),
            std::string("200||") + kConsumer + "|" + kProvider + "|echo");
}

// r1 hands the provider the caller's bytes, while the request schema checks
// the parsed tree, which keeps a repeated name's last value. A provider
// whose parser keeps the first would act on a value nobody checked, so a
// repeated name is refused where a schema applies. The envelope path
// forwards the checked tree itself: there a repeated name reaches the
// provider once, with the value that was checked.
TEST_F(XRoadRest, ARepeatedMemberNameCannotCarryAnUncheckedValuePastTheSchema) {
  database_->execute(
      "INSERT INTO json_schemas (name, version, document, created_by) VALUES "
      "('echo-request', '1', '{\"type\":\"object\",\"properties\":{\"idNumber\":"
      "{\"pattern\":\"^0010\"}}}', 'test');"
      "UPDATE services SET request_schema_id = (SELECT id FROM json_schemas "
      "WHERE name = 'echo-request') WHERE service_code = 'echo'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const std::string smuggled = R"({"idNumber":"999999999999","idNumber":"001089012345"})";

  auto headers = xroad_headers();
  headers["X-Road-Id"] = "repeated-r1";
  const auto refused =
      call("POST", std::string("/r1/") + kProvider + "/echo/pets/1", headers, smuggled);
  expect_xroad_error(refused, 400, "Client.SchemaViolation");
  EXPECT_NE(refused.body.find("repeats the member name \\\"idNumber\\\""), std::string::npos)
      << refused.body;
  EXPECT_EQ(audit_summary("repeated-r1"),
            std::string("400|Client.SchemaViolation|") + kConsumer + "|" + kProvider + "|echo");

  // A long repeated name is cut in the answer, not echoed whole.
  const std::string long_name(10'000, 'n');
  headers["X-Road-Id"] = "repeated-long";
  const auto cut = call("POST", std::string("/r1/") + kProvider + "/echo/pets/1", headers,
                        "{\"" + long_name + "\":1,\"" + long_name + "\":2}");
  EXPECT_EQ(cut.status, 400);
  EXPECT_LT(cut.body.size(), 2'000u) << cut.body.substr(0, 300);
  EXPECT_NE(cut.body.find(std::string(64, 'n') + "\u2026"), std::string::npos)
      << cut.body.substr(0, 300);

  // The same body once, without the repetition, passes the schema.
  headers["X-Road-Id"] = "single-r1";
  EXPECT_EQ(call("POST", std::string("/r1/") + kProvider + "/echo/pets/1", headers,
                 R"({"idNumber":"001089012345"})")
                .status,
            200);

  auto consumer = client();
  const auto forwarded =
      consumer.post("/exchange/v1/messages",
                    envelope("repeated-envelope", kConsumer, kProvider, "echo", smuggled));
  ASSERT_EQ(forwarded.status, 200) << forwarded.body;
  EXPECT_EQ(provider_->received().back().body, R"({"idNumber":"001089012345"})");
}

// Issue 30 (6): a purpose outside ASCII arrives RFC 8187-encoded, is
// recorded as text and goes on to the provider encoded the same way.
TEST_F(XRoadRest, APurposeInRfc8187FormIsRecordedAsText) {
  auto headers = xroad_headers();
  headers["X-Lienthong-Purpose"] = "UTF-8''C%E1%BA%A5p%20ph%C3%A9p";
  const auto response =
      call("GET", std::string("/r1/") + kProvider + "/echo/pets/7", std::move(headers));
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_EQ(provider_->calls(), 1);
  EXPECT_EQ(provider_->received().at(0).header("X-Lienthong-Purpose"),
            "UTF-8''C%E1%BA%A5p%20ph%C3%A9p");
  EXPECT_EQ(database_->scalar("SELECT purpose FROM audit_records WHERE message_id = '" +
                              response.header("x-road-id") + "'"),
            "C\u1EA5p ph\u00E9p");
}

TEST_F(XRoadRest, AGivenXRoadIdIsKeptAndDifferentRequestsHashDifferently) {
  auto headers = xroad_headers();
  headers["X-Road-Id"] = "client-chosen-1";
  const auto first =
      call("POST", std::string("/r1/") + kProvider + "/echo/pets/1", headers, R"({"name":"Mực"})");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.header("x-road-id"), "client-chosen-1");
  headers["X-Road-Id"] = "client-chosen-2";
  const auto second =
      call("POST", std::string("/r1/") + kProvider + "/echo/pets/1", headers, R"({"name":"Vàng"})");
  ASSERT_EQ(second.status, 200);
  EXPECT_NE(first.header("x-road-request-hash"), second.header("x-road-request-hash"));
  EXPECT_EQ(json::parse(second.body)["received"]["name"], "Vàng");
}

TEST_F(XRoadRest, PathsAndMethodsOutsideTheAgreementAreRefused) {
  auto headers = xroad_headers();
  headers["X-Road-Id"] = "outside-1";
  expect_xroad_error(call("GET", std::string("/r1/") + kProvider + "/echo/owners/1", headers), 403,
                     "Client.OperationNotAllowed");
  EXPECT_EQ(audit_summary("outside-1"),
            std::string("403|Client.OperationNotAllowed|") + kConsumer + "|" + kProvider + "|echo");
  headers["X-Road-Id"] = "outside-2";
  expect_xroad_error(call("DELETE", std::string("/r1/") + kProvider + "/echo/pets/1", headers), 403,
                     "Client.OperationNotAllowed");
}

TEST_F(XRoadRest, TheClientHeaderMustNameTheAuthenticatedSystem) {
  auto headers = xroad_headers();
  headers["X-Road-Client"] = kOther;
  headers["X-Road-Id"] = "spoof-r1";
  expect_xroad_error(call("GET", std::string("/r1/") + kProvider + "/echo/pets/1", headers), 403,
                     "Client.SenderMismatch");
  EXPECT_EQ(audit_summary("spoof-r1"),
            std::string("403|Client.SenderMismatch|") + kConsumer + "|" + kProvider + "|echo");
  headers.erase("X-Road-Client");
  expect_xroad_error(call("GET", std::string("/r1/") + kProvider + "/echo/pets/1", headers), 400,
                     "Client.BadRequest");
}

TEST_F(XRoadRest, MalformedTargetsAndUnknownServicesAreRefused) {
  const auto headers = xroad_headers();
  expect_xroad_error(call("GET", "/r1/VN/GOV/only-three", headers), 400, "Client.BadRequest");
  expect_xroad_error(call("GET", "/r1/VN/XYZ/TEST.01/TEST-PROVIDER/echo", headers), 400,
                     "Client.BadRequest");
  expect_xroad_error(
      call("GET", std::string("/r1/") + kProvider + "/echo/pets/../../admin", headers), 400,
      "Client.BadRequest");
  expect_xroad_error(call("GET", std::string("/r1/") + kProvider + "/nothing/pets/1", headers), 404,
                     "Client.UnknownService");
}

TEST_F(XRoadRest, ListMethodsListsTheProvidersServices) {
  const auto response =
      call("GET", std::string("/r1/") + kProvider + "/listMethods", {{"X-Road-Client", kConsumer}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("x-road-service"), std::string(kProvider) + "/listMethods");
  std::set<std::string> codes;
  const auto listed = json::parse(response.body);
  for (const auto& service : listed["service"]) {
    codes.insert(service["service_code"].get<std::string>());
    EXPECT_EQ(service["xroad_instance"], "VN");
    EXPECT_EQ(service["member_class"], "GOV");
    EXPECT_EQ(service["subsystem_code"], "TEST-PROVIDER");
    EXPECT_EQ(service["object_type"], "SERVICE");
  }
  EXPECT_EQ(codes, (std::set<std::string>{"echo", "slow", "broken", "garbage", "missing"}));
  EXPECT_EQ(provider_->calls(), 0) << "metaservices are answered by the hub";
  EXPECT_EQ(audit_summary(response.header("x-road-id")),
            std::string("200||") + kConsumer + "|" + kProvider + "|listMethods");
}

TEST_F(XRoadRest, AllowedMethodsShowsWhatTheCallersAgreementsAllowNow) {
  const auto response = call("GET", std::string("/r1/") + kProvider + "/allowedMethods",
                             {{"X-Road-Client", kConsumer}});
  ASSERT_EQ(response.status, 200) << response.body;
  json echo;
  const auto allowed = json::parse(response.body);
  for (const auto& service : allowed["service"]) {
    if (service["service_code"] == "echo")
      echo = service;
  }
  ASSERT_FALSE(echo.is_null()) << response.body;
  EXPECT_EQ(echo["endpoint_list"], json::parse(R"([{"method":"GET","path":"/pets/*"},
                                                   {"method":"POST","path":"/pets/*"}])"));

  // TEST-OTHER's only agreement expired yesterday: it may call nothing.
  auto other = client("TEST-OTHER");
  const auto none = other.request("GET", std::string("/r1/") + kProvider + "/allowedMethods", "",
                                  "", {{"X-Road-Client", kOther}});
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(json::parse(none.body)["service"].empty()) << none.body;
  EXPECT_EQ(provider_->calls(), 0);
}

TEST_F(XRoadRest, GetOpenApiDescribesAServiceAndMetaservicesAnswerOnlyGet) {
  const auto response =
      call("GET", std::string("/r1/") + kProvider + "/getOpenAPI?serviceCode=echo",
           {{"X-Road-Client", kConsumer}});
  ASSERT_EQ(response.status, 200) << response.body;
  const auto document = json::parse(response.body);
  EXPECT_EQ(document["openapi"], "3.1.0");
  EXPECT_EQ(document["x-lienthong-service"], std::string(kProvider) + "/echo/v1");
  const auto rest_path = std::string("/r1/") + kProvider + "/echo/{path}";
  ASSERT_TRUE(document["paths"].contains(rest_path)) << response.body;
  EXPECT_TRUE(document["paths"][rest_path].contains("get"));
  EXPECT_TRUE(document["paths"][rest_path].contains("post"));
  EXPECT_FALSE(document["paths"][rest_path].contains("delete")) << "the agreement allows GET, POST";

  expect_xroad_error(
      call("GET", std::string("/r1/") + kProvider + "/getOpenAPI", {{"X-Road-Client", kConsumer}}),
      400, "Client.BadRequest");
  expect_xroad_error(call("GET", std::string("/r1/") + kProvider + "/getOpenAPI?serviceCode=nope",
                          {{"X-Road-Client", kConsumer}}),
                     404, "Client.UnknownService");
  expect_xroad_error(call("POST", std::string("/r1/") + kProvider + "/listMethods",
                          {{"X-Road-Client", kConsumer}}, "{}"),
                     405, "Client.MethodNotAllowed");
  expect_xroad_error(
      call("GET", "/r1/VN/GOV/NOBODY/NOTHING/listMethods", {{"X-Road-Client", kConsumer}}), 404,
      "Client.UnknownService");
}

}  // namespace
}  // namespace lienthong::testing

namespace lienthong::testing {
namespace {

// What an unmodified X-Road REST client sends and expects (issue 25, item 9).
TEST_F(XRoadRest, AStockXRoadClientIsServedAndAnsweredTheXRoadWay) {
  // No purpose header of ours: the call is made under the agreement's purpose,
  // or under the case it names in X-Road-Issue.
  const std::map<std::string, std::string> stock{{"X-Road-Client", kConsumer},
                                                 {"X-Road-Id", "stock-1"}};
  const auto plain = call("GET", std::string("/r1/") + kProvider + "/echo/pets/1", stock);
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(database_->scalar("SELECT purpose FROM audit_records WHERE message_id = 'stock-1'"),
            "agreement: integration test");
  auto with_issue = stock;
  with_issue["X-Road-Id"] = "stock-2";
  with_issue["X-Road-Issue"] = "HS-2026-0042";
  ASSERT_EQ(call("GET", std::string("/r1/") + kProvider + "/echo/pets/1", with_issue).status, 200);
  EXPECT_EQ(database_->scalar("SELECT purpose FROM audit_records WHERE message_id = 'stock-2'"),
            "X-Road-Issue: HS-2026-0042");

  // The request hash covers the request line: only the query differs here.
  const std::map<std::string, std::string> same{{"X-Road-Client", kConsumer}};
  const auto first = call("GET", std::string("/r1/") + kProvider + "/echo/pets/1?id=1", same);
  const auto second = call("GET", std::string("/r1/") + kProvider + "/echo/pets/1?id=2", same);
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  EXPECT_NE(first.header("x-road-request-hash"), second.header("x-road-request-hash"));
  const auto again = call("GET", std::string("/r1/") + kProvider + "/echo/pets/1?id=1", same);
  EXPECT_EQ(first.header("x-road-request-hash"), again.header("x-road-request-hash"));

  // Errors carry the client's X-Road-Id.
  auto refused = stock;
  refused["X-Road-Id"] = "stock-refused";
  const auto error = call("GET", std::string("/r1/") + kProvider + "/echo/owners/1", refused);
  EXPECT_EQ(error.status, 403);
  EXPECT_EQ(error.header("x-road-id"), "stock-refused");

  // A 401 says how to authenticate (RFC 9110).
  TestClient anonymous(hub_->exchange_port(), std::nullopt);
  const auto unauthenticated =
      anonymous.request("GET", std::string("/r1/") + kProvider + "/echo/pets/1", "", "", stock);
  EXPECT_EQ(unauthenticated.status, 401);
  EXPECT_FALSE(unauthenticated.header("www-authenticate").empty());
  EXPECT_EQ(unauthenticated.header("x-road-id"), "stock-1");
}

}  // namespace
}  // namespace lienthong::testing

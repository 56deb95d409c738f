// Exchange policy beyond "who is calling": API keys, credential expiry,
// purpose, request and response schemas, data minimisation, per-service body
// limits, rate limits and quotas. Every refusal: status, code, nothing at the
// provider, one audit row.
#include <chrono>
#include <set>
#include <thread>

#include "lienthong/schema/json_schema.hpp"

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class ExchangePolicy : public AdminFixture {
 protected:
  // Runs SQL against the registry and loads the result into the hub at once.
  void change_registry(const std::string& sql) {
    database_->execute(sql);
    ASSERT_TRUE(hub_->reload_registry().has_value());
  }

  std::string consumer_echo_agreement() const {
    return "(SELECT a.id FROM agreements a JOIN systems c ON c.id = a.consumer_system_id "
           "WHERE c.system_code = 'TEST-CONSUMER' AND a.service_code = 'echo')";
  }

  void attach_schema(const std::string& column, const json& document) {
    change_registry(
        "INSERT INTO json_schemas (name, version, document, created_by) VALUES "
        "('echo-" +
        column + "', '1', '" + document.dump() +
        "', 'test');"
        "UPDATE services SET " +
        column +
        "_schema_id = (SELECT id FROM json_schemas "
        "WHERE name = 'echo-" +
        column + "') WHERE service_code = 'echo'");
  }

  // Sends an envelope to echo as TEST-CONSUMER and checks a refusal end to end.
  json expect_refusal(const std::string& id, int status, const std::string& code,
                      const std::string& envelope_text, int provider_calls = 0) {
    auto consumer = client();
    const auto response = consumer.post("/exchange/v1/messages", envelope_text);
    EXPECT_EQ(response.status, status) << response.body;
    const auto problem = json::parse(response.body);
    EXPECT_EQ(problem["code"], code);
    EXPECT_EQ(provider_->calls(), provider_calls);
    EXPECT_EQ(audit_summary(id),
              std::to_string(status) + "|" + code + "|" + kConsumer + "|" + kProvider + "|echo");
    last_response_ = response;
    return problem;
  }

  // Refusals of unknown callers carry no message id (the envelope is not read
  // before authentication), so they are counted by code.
  int unauthenticated_audit_rows() const {
    return std::stoi(database_->scalar(
        "SELECT count(*) FROM audit_records WHERE error_code = 'Client.Unauthenticated'"));
  }

  ClientResponse last_response_;
};

TEST_F(ExchangePolicy, ApiKeyAuthenticatesWithoutACertificate) {
  auto hub = hub_admin();
  const auto created =
      hub.post("/admin/v1/credentials", {{"system", kConsumer}, {"kind", "api_key"}});
  ASSERT_EQ(created.status, 201);
  const std::string key = AdminClient::json_of(created)["secret"]["api_key"];

  TestClient keyed(hub_->exchange_port(), std::nullopt);
  const auto response = keyed.request("POST", "/exchange/v1/messages",
                                      envelope("key-1", kConsumer, kProvider, "echo"),
                                      "application/json", {{"Authorization", "ApiKey " + key}});
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(audit_summary("key-1"), std::string("200||") + kConsumer + "|" + kProvider + "|echo");

  const auto wrong = keyed.request("POST", "/exchange/v1/messages",
                                   envelope("key-2", kConsumer, kProvider, "echo"),
                                   "application/json", {{"Authorization", "ApiKey ltk_wrong"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(json::parse(wrong.body)["code"], "Client.Unauthenticated");

  const auto id = std::to_string(AdminClient::json_of(created)["id"].get<int>());
  ASSERT_EQ(hub.post("/admin/v1/credentials/" + id + "/revoke").status, 200);
  const auto revoked = keyed.request("POST", "/exchange/v1/messages",
                                     envelope("key-3", kConsumer, kProvider, "echo"),
                                     "application/json", {{"Authorization", "ApiKey " + key}});
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(provider_->calls(), 1);
  EXPECT_EQ(unauthenticated_audit_rows(), 2);
}

TEST_F(ExchangePolicy, ExpiredCertificateIsRefusedWithoutAReload) {
  // Expiry is checked per request: a snapshot built before the expiry must
  // not keep accepting the certificate after it.
  change_registry(
      "UPDATE credentials SET expires_at = now() + interval '1 second' "
      "WHERE system_id = (SELECT id FROM systems WHERE system_code = 'TEST-CONSUMER')");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto consumer = client();
  const auto response =
      consumer.post("/exchange/v1/messages", envelope("exp-1", kConsumer, kProvider, "echo"));
  EXPECT_EQ(response.status, 401);
  EXPECT_NE(json::parse(response.body)["detail"].get<std::string>().find("expired"),
            std::string::npos);
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(unauthenticated_audit_rows(), 1);
}

TEST_F(ExchangePolicy, ServiceThatRequiresAPurposeRefusesACallWithout) {
  const std::string no_purpose = R"({"header":{"id":"nopurpose-1","from":")" +
                                 std::string(kConsumer) + R"(","to":")" + kProvider +
                                 R"(","service":"echo","version":"v1"},"body":{}})";
  expect_refusal("nopurpose-1", 403, "Client.PurposeRequired", no_purpose);
}

TEST_F(ExchangePolicy, RequestBodyIsHeldToTheServiceSchema) {
  attach_schema("request",
                {{"type", "object"},
                 {"required", {"idNumber"}},
                 {"properties", {{"idNumber", {{"type", "string"}, {"pattern", "^[0-9]{12}$"}}}}}});
  const auto problem =
      expect_refusal("schema-1", 400, "Client.SchemaViolation",
                     envelope("schema-1", kConsumer, kProvider, "echo", R"({"idNumber":"12AB"})"));
  ASSERT_FALSE(problem["errors"].empty());
  EXPECT_EQ(problem["errors"][0]["pointer"], "/body/idNumber");

  auto consumer = client();
  EXPECT_EQ(
      consumer.post("/exchange/v1/messages", envelope("schema-2", kConsumer, kProvider, "echo"))
          .status,
      200);
}

TEST_F(ExchangePolicy, SchemasAreCompiledOncePerSnapshotNotPerRequest) {
  for (int i = 0; i < 200 && !hub_->ready(); ++i)  // the change listener is connected
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(hub_->ready());
  const auto version = hub_->registry_version();
  attach_schema("request", {{"type", "object"}});
  // Let the change listener's reload (the NOTIFY of the change above) land
  // first: it compiles the schema for its own snapshot, as it should.
  for (int i = 0; i < 200 && hub_->registry_version() < version + 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GE(hub_->registry_version(), version + 2);
  const auto compiled = schema::JsonSchema::compiled_count();
  auto consumer = client();
  for (int i = 0; i < 5; ++i) {
    const auto id = "once-" + std::to_string(i);
    ASSERT_EQ(
        consumer.post("/exchange/v1/messages", envelope(id, kConsumer, kProvider, "echo")).status,
        200);
  }
  EXPECT_EQ(schema::JsonSchema::compiled_count(), compiled);
  ASSERT_TRUE(hub_->reload_registry().has_value());
  EXPECT_GE(schema::JsonSchema::compiled_count(), compiled + 1);
}

TEST_F(ExchangePolicy, ProviderAnswerThatBreaksTheResponseSchemaNeverReachesTheCaller) {
  attach_schema("response", {{"type", "object"}, {"required", {"citizen"}}});
  expect_refusal("resp-1", 502, "Provider.SchemaViolation",
                 envelope("resp-1", kConsumer, kProvider, "echo"), /*provider_calls=*/1);
  EXPECT_EQ(last_response_.body.find("001089012345"), std::string::npos);
  // Issue 30 (3): it names where the answer fails (it named nothing).
  const auto problem = json::parse(last_response_.body);
  ASSERT_EQ(problem["errors"].size(), 1u) << problem.dump();
  EXPECT_EQ(problem["errors"][0]["pointer"], "/citizen");
  EXPECT_EQ(problem["errors"][0]["detail"], "is required");
}

TEST_F(ExchangePolicy, ConsumerReceivesOnlyTheFieldsItsAgreementAllows) {
  change_registry("UPDATE agreements SET response_fields = '{/received/idNumber}' WHERE id = " +
                  consumer_echo_agreement());
  auto consumer = client();
  const auto response = consumer.post("/exchange/v1/messages",
                                      envelope("min-1", kConsumer, kProvider, "echo",
                                               R"({"idNumber":"001089012345","secret":"x"})"));
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = json::parse(response.body)["body"];
  EXPECT_EQ(body, json::parse(R"({"received":{"idNumber":"001089012345"}})")) << body.dump();
}

TEST_F(ExchangePolicy, ServiceBodyLimitIsEnforcedBeforeTheProvider) {
  change_registry("UPDATE services SET max_body_bytes = 100 WHERE service_code = 'echo'");
  expect_refusal("big-1", 413, "Client.PayloadTooLarge",
                 envelope("big-1", kConsumer, kProvider, "echo",
                          R"({"idNumber":")" + std::string(200, '1') + R"("})"));
}

TEST_F(ExchangePolicy, RateLimitAnswers429WithRetryAfter) {
  change_registry("UPDATE agreements SET rate_limit_per_minute = 2 WHERE id = " +
                  consumer_echo_agreement());
  auto consumer = client();
  for (const auto* id : {"rate-1", "rate-2"}) {
    ASSERT_EQ(
        consumer.post("/exchange/v1/messages", envelope(id, kConsumer, kProvider, "echo")).status,
        200);
  }
  expect_refusal("rate-3", 429, "Client.RateLimited",
                 envelope("rate-3", kConsumer, kProvider, "echo"), /*provider_calls=*/2);
  const int retry_after = std::stoi(last_response_.header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 30);
}

TEST_F(ExchangePolicy, DailyQuotaAnswers429UntilTheNextDay) {
  change_registry("UPDATE agreements SET daily_quota = 1 WHERE id = " + consumer_echo_agreement());
  auto consumer = client();
  ASSERT_EQ(
      consumer.post("/exchange/v1/messages", envelope("quota-1", kConsumer, kProvider, "echo"))
          .status,
      200);
  expect_refusal("quota-2", 429, "Client.QuotaExceeded",
                 envelope("quota-2", kConsumer, kProvider, "echo"), /*provider_calls=*/1);
  const int retry_after = std::stoi(last_response_.header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 24 * 3600);
}

TEST_F(ExchangePolicy, CatalogListsExactlyTheServicesTheCallerMayUseNow) {
  auto consumer = client();
  const auto response = consumer.request("GET", "/exchange/v1/catalog", "", "");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto catalog = json::parse(response.body);
  std::set<std::string> ids;
  for (const auto& service : catalog["services"])
    ids.insert(service["id"].get<std::string>());
  const std::string p = kProvider;
  EXPECT_EQ(ids, (std::set<std::string>{p + "/echo/v1", p + "/slow/v1", p + "/broken/v1",
                                        p + "/garbage/v1", p + "/missing/v1",
                                        std::string(kDeadProvider) + "/dead/v1"}));

  // TEST-OTHER's only agreement has expired: nothing to offer.
  auto other = client("TEST-OTHER");
  const auto empty = other.request("GET", "/exchange/v1/catalog", "", "");
  ASSERT_EQ(empty.status, 200);
  EXPECT_TRUE(json::parse(empty.body)["services"].empty());

  TestClient anonymous(hub_->exchange_port(), std::nullopt);
  EXPECT_EQ(anonymous.request("GET", "/exchange/v1/catalog", "", "").status, 401);
  EXPECT_EQ(consumer.request("POST", "/exchange/v1/catalog", "{}").status, 405);
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records WHERE path = "
                              "'/exchange/v1/catalog'"),
            "4");
}

TEST_F(ExchangePolicy, ServiceDescriptionIsBuiltFromTheRegisteredSchemas) {
  const json request_schema = {
      {"$schema", "http://json-schema.org/draft-07/schema#"},
      {"type", "object"},
      {"required", {"idNumber"}},
      {"properties", {{"idNumber", {{"$ref", "#/definitions/id"}}}}},
      {"definitions", {{"id", {{"type", "string"}, {"pattern", "^[0-9]{12}$"}}}}}};
  attach_schema("request", request_schema);
  change_registry("UPDATE agreements SET response_fields = '{/received/idNumber}' WHERE id = " +
                  consumer_echo_agreement());
  auto consumer = client();
  const auto path = std::string("/exchange/v1/services/") + kProvider + "/echo/v1/openapi";
  const auto response = consumer.request("GET", path, "", "");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto document = json::parse(response.body);
  EXPECT_EQ(document["openapi"], "3.1.0");
  const auto& request = document["components"]["schemas"]["Request"];
  EXPECT_EQ(request["required"], json::array({"idNumber"}));
  // Local references now point into the components, where the schema lives.
  EXPECT_EQ(request["properties"]["idNumber"]["$ref"],
            "#/components/schemas/Request/definitions/id");
  EXPECT_EQ(document["components"]["schemas"]["RequestEnvelope"]["properties"]["header"]
                    ["properties"]["service"]["const"],
            "echo");
  EXPECT_TRUE(document["paths"].contains("/exchange/v1/messages"));
  EXPECT_EQ(document["x-lienthong-agreement"]["responseFields"],
            json::array({"/received/idNumber"}));

  // Any registered system may read a description; strangers may not.
  auto other = client("TEST-OTHER");
  const auto for_other = other.request("GET", path, "", "");
  ASSERT_EQ(for_other.status, 200);
  EXPECT_FALSE(json::parse(for_other.body).contains("x-lienthong-agreement"));
  TestClient anonymous(hub_->exchange_port(), std::nullopt);
  EXPECT_EQ(anonymous.request("GET", path, "", "").status, 401);
  const auto unknown = consumer.request(
      "GET", std::string("/exchange/v1/services/") + kProvider + "/nope/v1/openapi", "", "");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["code"], "Client.UnknownService");
  EXPECT_EQ(consumer.request("DELETE", path, "", "").status, 405);
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(database_->scalar(
                "SELECT count(*) FROM audit_records WHERE path LIKE '/exchange/v1/services/%'"),
            "5");
}

}  // namespace
}  // namespace lienthong::testing

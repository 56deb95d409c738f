// End-to-end exchanges through a real hub: TLS with client certificates,
// PostgreSQL registry and audit, and a real provider on loopback. Every
// refusal is checked for its status, its problem code, that the provider
// received nothing, and that it left an audit record.
#include <nlohmann/json.hpp>

#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class Exchange : public HubFixture {
 protected:
  // Posts `body` as TEST-CONSUMER (or `certificate`) and checks the problem answer.
  void expect_problem(const ClientResponse& response, int status, const std::string& code) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.header("content-type"), "application/problem+json");
    const auto problem = json::parse(response.body);
    EXPECT_EQ(problem["code"], code);
    EXPECT_EQ(problem["status"], status);
    EXPECT_FALSE(problem["requestId"].get<std::string>().empty());
    EXPECT_EQ(problem["type"], "urn:lienthong:problem:" + code);
  }
};

TEST_F(Exchange, DeliversTheMessageAndAnswersWithACorrelatedEnvelope) {
  auto consumer = client();
  const auto response =
      consumer.post("/exchange/v1/messages", envelope("happy-1", kConsumer, kProvider, "echo"));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/json");
  const auto answer = json::parse(response.body);
  EXPECT_EQ(answer["header"]["correlationId"], "happy-1");
  EXPECT_EQ(answer["header"]["from"], kProvider);
  EXPECT_EQ(answer["header"]["to"], kConsumer);
  EXPECT_EQ(answer["header"]["service"], "echo");
  EXPECT_EQ(answer["body"]["received"]["idNumber"], "001089012345");

  ASSERT_EQ(provider_->calls(), 1);
  const auto call = provider_->received().front();
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.target, "/api/echo");
  EXPECT_EQ(call.header("X-Lienthong-Client"), kConsumer);
  EXPECT_EQ(call.header("X-Lienthong-Message-Id"), "happy-1");
  EXPECT_EQ(call.header("X-Lienthong-User-Id"), "tester-1");
  EXPECT_EQ(json::parse(call.body), json::parse(R"({"idNumber":"001089012345"})"));

  EXPECT_EQ(audit_summary("happy-1"), std::string("200||") + kConsumer + "|" + kProvider + "|echo");
  EXPECT_EQ(database_->scalar("SELECT correlation_id || '|' || user_id || '|' || purpose || '|' || "
                              "node FROM audit_records WHERE message_id = 'happy-1'"),
            "happy-1|tester-1|integration test|test-node");
  EXPECT_EQ(database_->scalar("SELECT (provider_called_at IS NOT NULL AND provider_answered_at >= "
                              "provider_called_at AND responded_at >= received_at)::text FROM "
                              "audit_records WHERE message_id = 'happy-1'"),
            "true");
}

// Issue 30 (6): Vietnamese in a header reached providers as raw UTF-8, which
// servlet and WSGI stacks read as Latin-1 (mojibake).
TEST_F(Exchange, PeoplesTextInHeadersTravelsInRfc8187FormAndIsRecordedAsText) {
  std::string message = envelope("vi-1", kConsumer, kProvider, "echo");
  message.replace(message.find("integration test"), 16, "Tra c\u1ee9u h\u1ed3 s\u01a1");
  message.replace(message.find("tester-1"), 8, "Nguy\u1ec5n V\u0103n A");
  ASSERT_EQ(client().post("/exchange/v1/messages", message).status, 200);

  ASSERT_EQ(provider_->calls(), 1);
  const auto call = provider_->received().front();
  EXPECT_EQ(call.header("X-Lienthong-Purpose"), "UTF-8''Tra%20c%E1%BB%A9u%20h%E1%BB%93%20s%C6%A1");
  EXPECT_EQ(call.header("X-Lienthong-User-Id"), "UTF-8''Nguy%E1%BB%85n%20V%C4%83n%20A");
  EXPECT_EQ(database_->scalar("SELECT user_id || '|' || purpose FROM audit_records WHERE "
                              "message_id = 'vi-1'"),
            "Nguy\u1ec5n V\u0103n A|Tra c\u1ee9u h\u1ed3 s\u01a1");
}

TEST_F(Exchange, AuditRecordHashesTheExactBodies) {
  auto consumer = client();
  const std::string body = envelope("hash-1", kConsumer, kProvider, "echo");
  const auto response = consumer.post("/exchange/v1/messages", body);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(
      database_->scalar("SELECT (request_sha256 = encode(sha256(convert_to(" +
                        database_->scalar("SELECT quote_literal($$" + body + "$$)") +
                        ", 'UTF8')), 'hex'))::text FROM audit_records WHERE message_id = 'hash-1'"),
      "true");
  EXPECT_EQ(database_->scalar("SELECT request_bytes || '|' || response_bytes FROM audit_records "
                              "WHERE message_id = 'hash-1'"),
            std::to_string(body.size()) + "|" + std::to_string(response.body.size()));
}

TEST_F(Exchange, KeepsTheConnectionAliveAcrossRequests) {
  auto consumer = client();
  for (int i = 0; i < 5; ++i) {
    const auto response =
        consumer.post("/exchange/v1/messages",
                      envelope("keep-" + std::to_string(i), kConsumer, kProvider, "echo"));
    ASSERT_EQ(response.status, 200) << i;
  }
  EXPECT_EQ(consumer.connections_opened(), 1) << "the hub closed a keep-alive connection";
  EXPECT_EQ(provider_->calls(), 5);
  EXPECT_EQ(provider_->open_connections(), 1) << "the hub did not reuse its provider connection";
  EXPECT_EQ(audit_count(), 5);
}

TEST_F(Exchange, AnswersPipelinedRequestsOnOneTlsConnectionInOrder) {
  auto consumer = client();
  const std::string second = envelope("pipelined-1", kConsumer, kProvider, "echo");
  // Both requests arrive in one write, so in one TLS record. The first is
  // exactly 4096 bytes, what the hub reads at the start of a request: it
  // then has consumed everything it read, and must find the second request
  // in what the TLS layer already holds rather than wait on the socket. The
  // first answer (the API description, ~28 kB) takes several TLS records.
  std::string first = "GET /exchange/v1/openapi.json HTTP/1.1\r\nHost: hub\r\nX-Padding: ";
  first += std::string(4096 - first.size() - 4, 'p') + "\r\n\r\n";
  ASSERT_EQ(first.size(), 4096u);
  const auto answer = consumer.send_raw(first +
                                        "POST /exchange/v1/messages HTTP/1.1\r\nHost: hub\r\n"
                                        "Content-Type: application/json\r\nConnection: close\r\n"
                                        "Content-Length: " +
                                        std::to_string(second.size()) + "\r\n\r\n" + second);
  ASSERT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer.substr(0, 200);
  const auto second_answer = answer.find("HTTP/1.1 200", 12);
  ASSERT_NE(second_answer, std::string::npos) << "the pipelined request was not answered";
  const auto description_end = answer.rfind('}', second_answer);
  const auto description_start = answer.find("\r\n\r\n") + 4;
  EXPECT_EQ(json::parse(answer.substr(description_start, description_end + 1 - description_start))
                .at("openapi"),
            "3.1.0");
  EXPECT_NE(answer.find(R"("correlationId":"pipelined-1")", second_answer), std::string::npos)
      << answer.substr(second_answer);
  EXPECT_EQ(provider_->calls(), 1);
}

TEST_F(Exchange, AnswersAClientThatTricklesItsRequestWith408AndHangsUp) {
  auto consumer = client();
  const auto started = std::chrono::steady_clock::now();
  // Half a request line, then silence: the 2 s read deadline must end it.
  const auto answer = consumer.send_raw("POST /exchange/v1/mess");
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408")) << answer;
  EXPECT_NE(answer.find("Client.RequestTimeout"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_GE(waited, std::chrono::milliseconds(1'500));
  EXPECT_LT(waited, std::chrono::seconds(5))
      << "the idle deadline (5 s) is not the one that applies";
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(database_->scalar("SELECT status || '|' || error_code FROM audit_records"),
            "408|Client.RequestTimeout");
}

TEST_F(Exchange, AnswersABodyThatNeverArrivesWith408) {
  auto consumer = client();
  const auto answer = consumer.send_raw(
      "POST /exchange/v1/messages HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
      "Content-Length: 500\r\n\r\n{\"header\":");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408")) << answer;
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(audit_count(), 1);
}

TEST_F(Exchange, PassesTheProvidersClientErrorsThroughInTheEnvelope) {
  auto consumer = client();
  const auto response = consumer.post("/exchange/v1/messages",
                                      envelope("missing-1", kConsumer, kProvider, "missing"));
  EXPECT_EQ(response.status, 404);
  const auto answer = json::parse(response.body);
  EXPECT_EQ(answer["header"]["status"], 404);
  EXPECT_EQ(answer["body"]["error"], "no record");
  EXPECT_EQ(audit_summary("missing-1"),
            std::string("404||") + kConsumer + "|" + kProvider + "|missing");
}

TEST_F(Exchange, RefusesACallerWithoutACertificate) {
  auto anonymous = client(std::nullopt);
  const auto response =
      anonymous.post("/exchange/v1/messages", envelope("nocert-1", kConsumer, kProvider, "echo"));
  expect_problem(response, 401, "Client.Unauthenticated");
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(
      database_->scalar("SELECT status || '|' || error_code || '|' || (consumer IS NULL)::text "
                        "FROM audit_records"),
      "401|Client.Unauthenticated|true");
}

TEST_F(Exchange, RefusesAValidCertificateThatNoSystemHolds) {
  auto stranger = client("TEST-UNREGISTERED");
  const auto response =
      stranger.post("/exchange/v1/messages", envelope("unreg-1", kConsumer, kProvider, "echo"));
  expect_problem(response, 401, "Client.Unauthenticated");
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(
      database_->scalar("SELECT status || '|' || length(client_fingerprint) FROM audit_records"),
      "401|64");
}

TEST_F(Exchange, RefusesACertificateFromAnotherCaDuringTheHandshake) {
  auto foreign = client("TEST-FOREIGN");
  std::string error;
  if (foreign.connect(&error)) {
    // TLS 1.3: the server's verdict arrives with the first read.
    try {
      const auto answered = foreign.post("/exchange/v1/messages",
                                         envelope("foreign-1", kConsumer, kProvider, "echo"));
      FAIL() << "a foreign certificate was answered HTTP " << answered.status;
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  // The refusal is the server's TLS alert, not a hub that is not there.
  EXPECT_NE(error.find("alert"), std::string::npos) << error;
  EXPECT_EQ(provider_->calls(), 0);
  const auto member =
      client().post("/exchange/v1/messages", envelope("foreign-2", kConsumer, kProvider, "echo"));
  EXPECT_EQ(member.status, 200) << "the hub serves members after refusing a stranger";
}

TEST_F(Exchange, RefusesASystemSendingAsAnother) {
  auto other = client("TEST-OTHER");
  const auto response =
      other.post("/exchange/v1/messages", envelope("spoof-1", kConsumer, kProvider, "echo"));
  expect_problem(response, 403, "Client.SenderMismatch");
  EXPECT_EQ(json::parse(response.body)["messageId"], "spoof-1");
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(audit_summary("spoof-1"),
            std::string("403|Client.SenderMismatch|") + kOther + "|" + kProvider + "|echo");
}

TEST_F(Exchange, RefusesACallerWithoutAnAgreementForTheService) {
  auto other = client("TEST-OTHER");
  const auto response =
      other.post("/exchange/v1/messages", envelope("noagr-1", kOther, kProvider, "slow"));
  expect_problem(response, 403, "Client.NoAgreement");
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(audit_summary("noagr-1"),
            std::string("403|Client.NoAgreement|") + kOther + "|" + kProvider + "|slow");
}

TEST_F(Exchange, RefusesACallerWhoseAgreementHasExpired) {
  auto other = client("TEST-OTHER");
  const auto response =
      other.post("/exchange/v1/messages", envelope("expired-1", kOther, kProvider, "echo"));
  expect_problem(response, 403, "Client.AgreementExpired");
  EXPECT_EQ(provider_->calls(), 0);
}

TEST_F(Exchange, RefusesAVersionTheAgreementDoesNotCover) {
  database_->execute(
      "UPDATE agreements SET versions = '{v2}' WHERE service_code = 'echo' AND "
      "consumer_system_id = (SELECT id FROM systems WHERE system_code = 'TEST-CONSUMER')");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  auto consumer = client();
  const auto response =
      consumer.post("/exchange/v1/messages", envelope("v-1", kConsumer, kProvider, "echo"));
  expect_problem(response, 403, "Client.NoAgreement");
  EXPECT_EQ(provider_->calls(), 0);
}

TEST_F(Exchange, RefusesMalformedJson) {
  auto consumer = client();
  const auto response = consumer.post("/exchange/v1/messages", R"({"header": {"id": "x",)");
  expect_problem(response, 400, "Client.BadEnvelope");
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(
      database_->scalar("SELECT status || '|' || error_code || '|' || consumer FROM audit_records"),
      std::string("400|Client.BadEnvelope|") + kConsumer);
}

TEST_F(Exchange, RefusesAnEnvelopeWithoutAHeaderFieldAndNamesIt) {
  auto consumer = client();
  const auto response = consumer.post(
      "/exchange/v1/messages",
      R"({"header":{"id":"nofield-1","from":"VN/PROV/TEST.03/TEST-CONSUMER","to":"VN/GOV/TEST.01/TEST-PROVIDER","version":"v1"},"body":{}})");
  expect_problem(response, 400, "Client.BadEnvelope");
  const auto problem = json::parse(response.body);
  EXPECT_EQ(problem["messageId"], "nofield-1");
  ASSERT_TRUE(problem.contains("errors"));
  EXPECT_EQ(problem["errors"][0]["pointer"], "/header/service");
  EXPECT_EQ(audit_summary("nofield-1"), std::string("400|Client.BadEnvelope|") + kConsumer + "||");
}

TEST_F(Exchange, RefusesDeeplyNestedJsonWithoutCrashing) {
  auto consumer = client();
  const std::string deep = std::string(30'000, '[') + std::string(30'000, ']');
  const auto response = consumer.post("/exchange/v1/messages", deep);
  expect_problem(response, 400, "Client.BadEnvelope");
  EXPECT_EQ(audit_count(), 1);
}

TEST_F(Exchange, RefusesAnUnknownService) {
  auto consumer = client();
  const auto response = consumer.post(
      "/exchange/v1/messages", envelope("unknown-1", kConsumer, kProvider, "no-such-service"));
  expect_problem(response, 404, "Client.UnknownService");
  EXPECT_EQ(audit_summary("unknown-1"), std::string("404|Client.UnknownService|") + kConsumer +
                                            "|" + kProvider + "|no-such-service");
}

TEST_F(Exchange, ReportsADeadProvider) {
  auto consumer = client();
  const auto response =
      consumer.post("/exchange/v1/messages", envelope("dead-1", kConsumer, kDeadProvider, "dead"));
  expect_problem(response, 502, "Provider.Unreachable");
  EXPECT_EQ(audit_summary("dead-1"),
            std::string("502|Provider.Unreachable|") + kConsumer + "|" + kDeadProvider + "|dead");
}

TEST_F(Exchange, ReportsAProviderSlowerThanTheServiceTimeout) {
  auto consumer = client();
  const auto started = std::chrono::steady_clock::now();
  const auto response =
      consumer.post("/exchange/v1/messages", envelope("slow-1", kConsumer, kProvider, "slow"));
  expect_problem(response, 504, "Provider.Timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2))
      << "the 300 ms service timeout, not the provider's 2 s, must end the call";
  EXPECT_EQ(audit_summary("slow-1").substr(0, 20), "504|Provider.Timeout");
}

TEST_F(Exchange, NeverPassesOnAProviderServerErrorOrGarbage) {
  auto consumer = client();
  const auto failed =
      consumer.post("/exchange/v1/messages", envelope("fail-1", kConsumer, kProvider, "broken"));
  expect_problem(failed, 502, "Provider.Error");
  EXPECT_EQ(failed.body.find("database down"), std::string::npos) << "provider internals leaked";
  const auto garbage = consumer.post("/exchange/v1/messages",
                                     envelope("garbage-1", kConsumer, kProvider, "garbage"));
  expect_problem(garbage, 502, "Provider.BadResponse");
  EXPECT_EQ(garbage.body.find("<html>"), std::string::npos);
  EXPECT_EQ(audit_count(), 2);
}

TEST_F(Exchange, RefusesWrongPathsMethodsAndMediaTypes) {
  auto consumer = client();
  expect_problem(consumer.request("GET", "/exchange/v1/nothing", ""), 404, "Client.NotFound");
  const auto get = consumer.request("GET", "/exchange/v1/messages", "");
  expect_problem(get, 405, "Client.MethodNotAllowed");
  EXPECT_EQ(get.header("allow"), "POST");
  expect_problem(consumer.request("POST", "/exchange/v1/messages",
                                  envelope("xml-1", kConsumer, kProvider, "echo"), "text/xml"),
                 415, "Client.UnsupportedMediaType");
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(audit_count(), 3);
}

TEST_F(Exchange, RefusesAnOversizedBodyAndClosesTheConnection) {
  auto consumer = client();
  const std::string huge(100 * 1024, 'x');  // the fixture's limit is 64 KiB
  const auto response = consumer.post("/exchange/v1/messages", huge);
  expect_problem(response, 413, "Client.PayloadTooLarge");
  EXPECT_EQ(response.header("connection"), "close");
  EXPECT_EQ(audit_count(), 1);
}

TEST_F(Exchange, AnswersMalformedHttpWithAProblem) {
  auto consumer = client();
  const auto raw = consumer.send_raw(
      "POST /exchange/v1/messages HTTP/1.1\r\nHost: x\r\n"
      "Content-Length: nope\r\n\r\n");
  EXPECT_NE(raw.find("400"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Client.BadRequest"), std::string::npos) << raw;
  EXPECT_EQ(audit_count(), 1);
}

TEST_F(Exchange, FailsClosedWhenTheAuditLogCannotBeWritten) {
  database_->execute("ALTER TABLE audit_records RENAME TO audit_records_away");
  auto consumer = client();
  const auto response =
      consumer.post("/exchange/v1/messages", envelope("closed-1", kConsumer, kProvider, "echo"));
  expect_problem(response, 503, "Server.AuditUnavailable");
  EXPECT_EQ(response.body.find("001089012345"), std::string::npos) << "data left the hub unaudited";
  EXPECT_EQ(provider_->calls(), 1);
  // While the node knows its log is broken, it calls no provider.
  const auto known =
      consumer.post("/exchange/v1/messages", envelope("closed-2", kConsumer, kProvider, "echo"));
  expect_problem(known, 503, "Server.AuditUnavailable");
  EXPECT_EQ(provider_->calls(), 1) << "a provider was called while the log was known broken";
  database_->execute("ALTER TABLE audit_records_away RENAME TO audit_records");
  // The writer reconnects by itself (every half second); the node is then ready again.
  ASSERT_TRUE(becomes_ready()) << "the node did not recover once the store was back";
  const auto after =
      consumer.post("/exchange/v1/messages", envelope("closed-3", kConsumer, kProvider, "echo"));
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(audit_count(), 1);
}

}  // namespace
}  // namespace lienthong::testing

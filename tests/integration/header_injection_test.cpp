// A consumer must not be able to write onto a provider connection anything
// but its own one request. An escaped CR LF in an envelope field that becomes
// a provider header (purpose, userId) once split the provider request in two:
// the second, smuggled request rode the pooled connection and its answer went
// to the next caller. These tests send that attack and check the class is
// closed at both places: the envelope refuses it, and the client that writes
// provider requests refuses any header that could split one, whatever its source.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "lienthong/net/http_client.hpp"

#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

std::string envelope_with_header(const std::string& id, const std::string& field,
                                 const std::string& value) {
  json envelope = {{"header",
                    {{"id", id},
                     {"from", kConsumer},
                     {"to", kProvider},
                     {"service", "echo"},
                     {"version", "v1"},
                     {"purpose", "integration test"},
                     {"userId", "tester-1"}}},
                   {"body", {{"idNumber", "001089012345"}}}};
  envelope["header"][field] = value;
  return envelope.dump();
}

// What a smuggler appends: the end of the hub's header block, then a whole
// second request of its choosing for the same provider.
const std::string kSmuggled =
    "x\r\n\r\nPOST /api/echo HTTP/1.1\r\nHost: provider\r\nContent-Length: 2\r\n\r\n{}";

using HeaderInjection = HubFixture;

TEST_F(HeaderInjection, EnvelopeFieldsWithLineBreaksAreRefusedBeforeTheProvider) {
  auto consumer = client();
  for (const std::string field : {"purpose", "userId", "timestamp"}) {
    for (const std::string& value : {kSmuggled, std::string("a\nb"), std::string("a\rb"),
                                     std::string("a\0b", 3), std::string("tab\there")}) {
      const std::string id = "inject-" + field + "-" + std::to_string(value.size());
      const auto response =
          consumer.post("/exchange/v1/messages", envelope_with_header(id, field, value));
      EXPECT_EQ(response.status, 400) << field << ": " << response.body;
      const auto problem = json::parse(response.body);
      EXPECT_EQ(problem["code"], "Client.BadEnvelope") << field;
    }
  }
  EXPECT_EQ(provider_->calls(), 0);
}

TEST_F(HeaderInjection, EveryCallerGetsOnlyTheAnswerToItsOwnRequest) {
  // The smuggling attempt, then ordinary calls on the same pooled provider
  // connection: each answer echoes the body its own caller sent.
  auto attacker = client();
  auto victim = client("TEST-CONSUMER");
  for (int round = 0; round < 5; ++round) {
    const auto refused = attacker.post(
        "/exchange/v1/messages",
        envelope_with_header("smuggle-" + std::to_string(round), "purpose", kSmuggled));
    EXPECT_EQ(refused.status, 400);
    const std::string id_number = "00108901234" + std::to_string(round);
    const auto answer = victim.post(
        "/exchange/v1/messages", envelope("victim-" + std::to_string(round), kConsumer, kProvider,
                                          "echo", R"({"idNumber":")" + id_number + R"("})"));
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(json::parse(answer.body)["body"]["received"]["idNumber"], id_number);
  }
  EXPECT_EQ(provider_->calls(), 5);
  for (const auto& call : provider_->received()) {
    EXPECT_EQ(call.target, "/api/echo");
    EXPECT_NE(call.body, "{}");
  }
}

// The last line of defence: whatever a future adapter or mapping puts into a
// provider request, the client refuses to write a field that would split it.
TEST_F(HeaderInjection, TheProviderClientRefusesUnsendableRequests) {
  boost::asio::io_context context;
  net::HttpClient http(context, nullptr, net::ClientOptions{});
  auto endpoint = net::HttpEndpoint::parse("http://127.0.0.1:" + std::to_string(provider_->port()));
  ASSERT_TRUE(endpoint.has_value());

  auto send = [&](net::HttpRequest request) {
    std::optional<Result<net::HttpResponse>> outcome;
    auto call = [&](net::HttpRequest r) -> boost::asio::awaitable<void> {
      outcome.emplace(co_await http.send(endpoint.value(), std::move(r), std::chrono::seconds(5)));
    };
    boost::asio::co_spawn(context, call(std::move(request)), boost::asio::detached);
    context.restart();
    context.run();
    return std::move(*outcome);
  };
  auto request = [](std::vector<net::Header> headers, std::string target = "/api/echo") {
    net::HttpRequest r;
    r.method = "POST";
    r.target = std::move(target);
    r.headers = std::move(headers);
    r.body = "{}";
    return r;
  };

  const std::vector<net::HttpRequest> unsendable = {
      request({{"X-Lienthong-Purpose", kSmuggled}}),
      request({{"X-Lienthong-User-Id", std::string("a\0b", 3)}}),
      request({{"X-Bad\r\nX-Other", "1"}}),
      request({{"", "empty name"}}),
      request({}, "/api/echo HTTP/1.1\r\nX: y"),
  };
  for (const auto& bad : unsendable) {
    const auto result = send(bad);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kClientBadRequest) << result.error().detail;
  }
  EXPECT_EQ(provider_->calls(), 0);

  // Tabs and UTF-8 text are field content, not framing: sent as they are.
  const auto sent = send(request({{"X-Lienthong-Purpose", "kiểm tra\tdanh tính"}}));
  ASSERT_TRUE(sent.has_value()) << sent.error().detail;
  EXPECT_EQ(sent.value().status, 200);
  ASSERT_EQ(provider_->calls(), 1);
  EXPECT_EQ(provider_->received().front().header("X-Lienthong-Purpose"), "kiểm tra\tdanh tính");
}

}  // namespace
}  // namespace lienthong::testing

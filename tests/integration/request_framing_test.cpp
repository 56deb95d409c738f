// Both listeners read requests the way RFC 9112 §6.3 frames them, and refuse
// what could be framed two ways: where a front proxy and the hub might
// disagree on where a request ends, the rest of the bytes would be read as a
// second, smuggled request. Each refusal is 400 with Connection: close and
// nothing after it on the connection.
#include <nlohmann/json.hpp>

#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

// A complete request hidden where a body should be.
const std::string kHidden = "GET /exchange/v1/openapi.json HTTP/1.1\r\nHost: hub\r\n\r\n";

// Status lines: "HTTP/1.x " at the start of the stream or of a line.
int count_answers(const std::string& stream) {
  int answers = 0;
  for (auto at = stream.find("HTTP/1."); at != std::string::npos;
       at = stream.find("HTTP/1.", at + 1)) {
    answers += at == 0 || stream[at - 1] == '\n';
  }
  return answers;
}

class RequestFraming : public HubFixture {
 protected:
  // Sends `head` + `body` on a fresh connection to `port` and checks the one
  // answer is a 400 that closes the connection.
  void expect_refused(std::uint16_t port, const std::string& head, const std::string& body,
                      std::optional<std::string> certificate = "TEST-CONSUMER") {
    TestClient raw(port, std::move(certificate));
    const auto answer = raw.send_raw(head + "\r\n" + body);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400") || answer.starts_with("HTTP/1.0 400"))
        << head << "\n"
        << answer.substr(0, 300);
    if (answer.starts_with("HTTP/1.1")) {  // HTTP/1.0 closes unless asked not to
      EXPECT_NE(answer.find("Connection: close"), std::string::npos) << head;
    }
    EXPECT_EQ(count_answers(answer), 1) << "the body was read as another request: " << head;
  }
};

TEST_F(RequestFraming, TransferCodingsOtherThanChunkedAloneAreRefused) {
  const std::string post =
      "POST /exchange/v1/messages HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n";
  for (const std::string coding :
       {"chunked, identity", "identity", "gzip, chunked", "chunked, chunked", "chunkedx", ""}) {
    expect_refused(hub_->exchange_port(), post + "Transfer-Encoding: " + coding + "\r\n", kHidden);
  }
  // Two field lines make one list: "chunked, chunked".
  expect_refused(hub_->exchange_port(),
                 post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", kHidden);
  EXPECT_EQ(provider_->calls(), 0);
}

TEST_F(RequestFraming, AmbiguousLengthsAreRefused) {
  const std::string post =
      "POST /exchange/v1/messages HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n";
  expect_refused(hub_->exchange_port(),
                 post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n");
  expect_refused(hub_->exchange_port(), post + "Content-Length: 5\r\nContent-Length: 6\r\n",
                 "{}{}{}");
  expect_refused(hub_->exchange_port(),
                 "POST /exchange/v1/messages HTTP/1.0\r\nHost: hub\r\n"
                 "Transfer-Encoding: chunked\r\n",
                 "0\r\n\r\n");
  EXPECT_EQ(provider_->calls(), 0);
}

TEST_F(RequestFraming, AnHttp11RequestNeedsExactlyOneHost) {
  expect_refused(hub_->exchange_port(), "GET /exchange/v1/openapi.json HTTP/1.1\r\n", "");
  expect_refused(hub_->exchange_port(),
                 "GET /exchange/v1/openapi.json HTTP/1.1\r\nHost: a\r\nHost: b\r\n", "");
  // HTTP/1.0 has no Host requirement.
  TestClient raw(hub_->exchange_port(), "TEST-CONSUMER");
  EXPECT_TRUE(
      raw.send_raw("GET /exchange/v1/openapi.json HTTP/1.0\r\n\r\n").starts_with("HTTP/1.0 200"));
}

TEST_F(RequestFraming, TheAdminListenerFramesRequestsTheSameWay) {
  expect_refused(hub_->admin_port(),
                 "POST /admin/v1/members HTTP/1.1\r\nHost: hub\r\n"
                 "Transfer-Encoding: chunked, identity\r\n",
                 "GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n", std::nullopt);
  expect_refused(hub_->admin_port(), "GET /healthz HTTP/1.1\r\n", "", std::nullopt);
}

TEST_F(RequestFraming, ChunkedBodiesAndAbsoluteFormTargetsAreServed) {
  const std::string body = envelope("chunked-1", kConsumer, kProvider, "echo");
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  TestClient raw(hub_->exchange_port(), "TEST-CONSUMER");
  const auto answer = raw.send_raw(
      "POST /exchange/v1/messages HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
      std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer.substr(0, 300);
  EXPECT_EQ(provider_->calls(), 1);

  // RFC 9112 §3.2.2: a server accepts the absolute form of a target.
  TestClient absolute(hub_->exchange_port(), "TEST-CONSUMER");
  const auto description = absolute.send_raw(
      "GET https://hub.example/exchange/v1/openapi.json HTTP/1.1\r\nHost: hub.example\r\n"
      "Connection: close\r\n\r\n");
  EXPECT_TRUE(description.starts_with("HTTP/1.1 200")) << description.substr(0, 300);
}

TEST_F(RequestFraming, JsonInAnotherCharsetIsRefusedNotGuessed) {
  auto consumer = client();
  const auto response = consumer.request("POST", "/exchange/v1/messages",
                                         envelope("latin1-1", kConsumer, kProvider, "echo"),
                                         "application/json; charset=latin1");
  EXPECT_EQ(response.status, 415) << response.body;
  const auto utf8 = consumer.request("POST", "/exchange/v1/messages",
                                     envelope("utf8-1", kConsumer, kProvider, "echo"),
                                     "application/json; charset=\"UTF-8\"");
  EXPECT_EQ(utf8.status, 200) << utf8.body;
  EXPECT_EQ(provider_->calls(), 1);
}

}  // namespace
}  // namespace lienthong::testing

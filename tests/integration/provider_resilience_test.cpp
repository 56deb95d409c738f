// Provider calls under failure, against real misbehaving providers on
// loopback: answers broken off by a reset, bodies past every limit, retries
// only where the provider cannot act twice, the circuit breaker that stops
// calling a failing provider and lets one probe through after its
// cool-down, and TLS to a provider that requires the hub's certificate.
#include <iostream>
#include <thread>

#include <boost/asio/ssl/context.hpp>

#include "lienthong/net/tls_context.hpp"

#include "admin_fixture.hpp"
#include "loopback_server.hpp"
#include "raw_provider.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using Step = RawProvider::Step;

constexpr const char* kRaw = "VN/GOV/TEST.01/TEST-RAW";
constexpr auto kCoolDown = std::chrono::milliseconds(1000);

class ProviderResilience : public AdminFixture {
 protected:
  void configure(Config& config) override {
    config.provider.breaker_failures = 3;
    config.provider.breaker_cooldown_ms = static_cast<int>(kCoolDown.count());
    config.provider.retries = 1;
    config.provider.ca_file = pki_file("ca.crt");
    config.provider.client_certificate = pki_file("TEST-PROVIDER.crt");
    config.provider.client_key = pki_file("TEST-PROVIDER.key");
  }

  void SetUp() override {
    AdminFixture::SetUp();
    raw_ = std::make_unique<RawProvider>(std::vector<Step>{Step::kAnswer});
    register_provider("TEST-RAW", raw_->url(), "raw", "/raw");
    database_->execute(
        "UPDATE agreements SET allowed_methods = '{GET,POST}' "
        "WHERE service_code = 'raw'");
    ASSERT_TRUE(hub_->reload_registry().has_value());
  }

  void TearDown() override {
    AdminFixture::TearDown();
    raw_.reset();
  }

  ClientResponse post(const std::string& id, const char* to = kRaw, const char* service = "raw") {
    return client().post("/exchange/v1/messages", envelope(id, kConsumer, to, service, "{}"));
  }
  ClientResponse get_r1() {
    return client().request("GET", std::string("/r1/") + kRaw + "/raw/parcels/7", "", "",
                            {{"X-Road-Client", kConsumer}, {"X-Lienthong-Purpose", "test"}});
  }
  static std::string code_of(const ClientResponse& response) {
    return json::parse(response.body).value("code", "");
  }
  json breaker_of(const std::string& provider) {
    const auto health = hub_admin().get("/admin/v1/provider-health");
    EXPECT_EQ(health.status, 200) << health.body;
    const auto document = AdminClient::json_of(health);
    for (const auto& entry : document["providers"]) {
      if (entry["provider"] == provider)
        return entry;
    }
    ADD_FAILURE() << "no breaker for " << provider << " in " << health.body;
    return json::object();
  }

  std::unique_ptr<RawProvider> raw_;
};

TEST_F(ProviderResilience, AnAnswerBrokenOffByAResetIsNotPassedOnAndAPostIsNotRepeated) {
  raw_->set_script({Step::kResetMidResponse});
  const auto response = post("reset-1");
  EXPECT_EQ(response.status, 502) << response.body;
  EXPECT_EQ(code_of(response), "Provider.BadResponse");
  EXPECT_EQ(response.body.find("partial"), std::string::npos);
  EXPECT_EQ(raw_->methods(), std::vector<std::string>{"POST"})
      << "a POST that may have reached the provider is never sent again";
  EXPECT_EQ(audit_summary("reset-1"),
            std::string("502|Provider.BadResponse|") + kConsumer + "|" + kRaw + "|raw");
}

TEST_F(ProviderResilience, AnIdempotentCallIsRetriedOnceAfterTheConnectionBroke) {
  raw_->set_script({Step::kCloseWithoutAnswer, Step::kAnswer});
  const auto response = get_r1();
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(raw_->methods(), (std::vector<std::string>{"GET", "GET"}));

  raw_->set_script({Step::kCloseWithoutAnswer, Step::kCloseWithoutAnswer, Step::kAnswer});
  const auto refused = get_r1();
  EXPECT_EQ(refused.status, 502) << "one retry only: " << refused.body;
  EXPECT_EQ(raw_->requests(), 4);
}

TEST_F(ProviderResilience, ABodyPastTheLimitIsCutOffAndTheHubCarriesOn) {
  raw_->set_script({Step::kOversized, Step::kAnswer});
  const auto response = post("huge-1");
  EXPECT_EQ(response.status, 502) << response.body;
  EXPECT_EQ(code_of(response), "Provider.BadResponse");
  EXPECT_NE(response.body.find("too large"), std::string::npos) << response.body;
  EXPECT_EQ(post("after-huge").status, 200);
}

TEST_F(ProviderResilience, AFailingProviderIsPausedThenProbedAndClosedWhenItRecovers) {
  raw_->set_script({Step::kServerError});
  for (int i = 0; i < 3; ++i) {
    const auto failed = post("fail-" + std::to_string(i));
    EXPECT_EQ(failed.status, 502) << failed.body;
    EXPECT_EQ(code_of(failed), "Provider.Error");
  }
  const auto paused = post("paused");
  EXPECT_EQ(paused.status, 503) << paused.body;
  EXPECT_EQ(code_of(paused), "Provider.Unavailable");
  EXPECT_EQ(paused.header("retry-after"), "1") << "the cool-down, in whole seconds";
  EXPECT_EQ(raw_->requests(), 3) << "an open breaker does not call the provider";
  EXPECT_EQ(audit_summary("paused"),
            std::string("503|Provider.Unavailable|") + kConsumer + "|" + kRaw + "|raw");

  const auto open = breaker_of(kRaw);
  EXPECT_EQ(open["state"], "open") << open.dump();
  EXPECT_EQ(open["consecutive_failures"], 3);
  EXPECT_EQ(open["rejected_calls"], 1);
  EXPECT_TRUE(open.contains("probe_after"));
  // Other providers are unaffected.
  EXPECT_EQ(post("echo-ok", kProvider, "echo").status, 200);

  // After the cool-down one probe goes through; it fails, so the breaker opens again.
  std::this_thread::sleep_for(kCoolDown + std::chrono::milliseconds(100));
  const auto probing = std::chrono::steady_clock::now();
  EXPECT_EQ(post("probe-1").status, 502);
  EXPECT_EQ(raw_->requests(), 4);
  const int again = post("paused-again").status;
  // The failed probe opened the breaker at or after `probing`: a call answered
  // within one cool-down of that moment certainly met it open. A machine too
  // slow for that cannot tell, and only the provider's count is checked.
  if (std::chrono::steady_clock::now() - probing < kCoolDown) {
    EXPECT_EQ(again, 503);
    EXPECT_EQ(raw_->requests(), 4);
  } else {
    std::cout << "[ skipped ] paused-again came after the cool-down; status " << again << "\n";
  }

  // The provider recovers: the next probe succeeds and closes the breaker.
  raw_->set_script({Step::kAnswer});
  std::this_thread::sleep_for(kCoolDown + std::chrono::milliseconds(100));
  EXPECT_EQ(post("probe-2").status, 200);
  EXPECT_EQ(post("closed").status, 200);
  EXPECT_EQ(breaker_of(kRaw)["state"], "closed");
}

TEST_F(ProviderResilience, AMemberAdminSeesOnlyItsOwnProvidersBreakers) {
  raw_->set_script({Step::kServerError});
  EXPECT_EQ(post("one-failure").status, 502);
  EXPECT_EQ(post("echo", kProvider, "echo").status, 200);
  const auto own = admin(token("member-admin", kProviderMember)).get("/admin/v1/provider-health");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(AdminClient::json_of(own)["providers"].size(), 2u) << own.body;
  const auto other = admin(token("member-admin", kConsumerMember)).get("/admin/v1/provider-health");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(AdminClient::json_of(other)["providers"], json::array());
}

// A provider on HTTPS that serves only callers presenting a certificate
// from the hub's CA: it answers with the fingerprint it saw.
class CertificateEcho final : public net::HttpHandler {
 public:
  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override {
    if (request.peer.certificate_sha256.empty())
      co_return net::HttpResponse::with_body(401, R"({"error":"client certificate required"})");
    co_return net::HttpResponse::with_body(
        200, json{{"caller", request.peer.certificate_sha256}}.dump());
  }
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest, Error error) override {
    co_return net::HttpResponse::with_body(error.http_status(), "{}");
  }
};

TEST_F(ProviderResilience, TheHubVerifiesAnHttpsProviderAndPresentsItsOwnCertificate) {
  const LoopbackServer https(
      std::make_shared<CertificateEcho>(),
      net::make_server_tls_context({pki_file("hub.crt"), pki_file("hub.key"), pki_file("ca.crt")}));
  register_provider("TEST-HTTPS", https.url(), "secure", "/secure");
  const auto response = post("tls-1", "VN/GOV/TEST.01/TEST-HTTPS", "secure");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body)["body"]["caller"], fingerprint_of("TEST-PROVIDER"));

  // A provider whose certificate does not name its host is never called.
  const LoopbackServer impostor(
      std::make_shared<CertificateEcho>(),
      net::make_server_tls_context(
          {pki_file("TEST-OTHER.crt"), pki_file("TEST-OTHER.key"), pki_file("ca.crt")}));
  register_provider("TEST-IMPOSTOR", impostor.url(), "secure", "/secure");
  const auto refused = post("tls-2", "VN/GOV/TEST.01/TEST-IMPOSTOR", "secure");
  EXPECT_EQ(refused.status, 502) << refused.body;
  EXPECT_EQ(code_of(refused), "Provider.Unreachable");
  EXPECT_NE(refused.body.find("TLS handshake failed"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace lienthong::testing

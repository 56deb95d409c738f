// Limits that protect the hub itself: JSON nesting (a million nested arrays
// must be refused, not crash the process) and requests in flight per calling
// system. Every refusal: status, code, nothing at the provider, an audit row.
#include <chrono>
#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class ExchangeLimits : public HubFixture {
 protected:
  void configure(Config& config) override {
    config.limits.body_bytes = 4 * 1024 * 1024;  // room for 2 MB of brackets
    config.limits.max_concurrent_per_system = 1;
  }

  static std::string nested_arrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  }

  void expect_hub_still_serves() {
    auto consumer = client();
    const auto response =
        consumer.post("/exchange/v1/messages", envelope("alive-1", kConsumer, kProvider, "echo"));
    EXPECT_EQ(response.status, 200) << response.body;
  }
};

TEST_F(ExchangeLimits, AMillionNestedArraysInAnEnvelopeAreRefusedWithoutCrashing) {
  auto consumer = client();
  const auto response =
      consumer.post("/exchange/v1/messages",
                    envelope("deep-1", kConsumer, kProvider, "echo", nested_arrays(1'000'000)));
  ASSERT_EQ(response.status, 400) << response.body.substr(0, 500);
  EXPECT_EQ(json::parse(response.body)["code"], "Client.BadEnvelope");
  EXPECT_NE(response.body.find("64 levels"), std::string::npos) << response.body;
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(audit_count(), 1);
  expect_hub_still_serves();
}

TEST_F(ExchangeLimits, AMillionNestedArraysThroughXRoadRestAreRefusedBeforeTheSchema) {
  database_->execute(
      "INSERT INTO json_schemas (name, version, document, created_by) VALUES "
      "('echo-request', '1', '{\"type\":\"object\"}', 'test');"
      "UPDATE services SET request_schema_id = (SELECT id FROM json_schemas "
      "WHERE name = 'echo-request') WHERE service_code = 'echo'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  auto consumer = client();
  const auto response = consumer.request(
      "POST", std::string("/r1/") + kProvider + "/echo", nested_arrays(1'000'000),
      "application/json", {{"X-Road-Client", kConsumer}, {"X-Lienthong-Purpose", "test"}});
  ASSERT_EQ(response.status, 400) << response.body.substr(0, 500);
  EXPECT_EQ(response.header("x-road-error"), "Client.SchemaViolation");
  EXPECT_NE(response.body.find("nests deeper than 64"), std::string::npos) << response.body;
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(audit_count(), 1);
  expect_hub_still_serves();
}

TEST_F(ExchangeLimits, ASystemPastItsConcurrencyLimitGets429UntilItsRequestEnds) {
  // The first request is held at the provider until the test releases it;
  // while it is in flight, the same system's second request is refused.
  database_->execute("UPDATE services SET timeout_ms = 60000 WHERE service_code = 'slow'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  provider_->hold_slow();
  auto first = std::async(std::launch::async, [this] {
    auto consumer = client();
    return consumer.post("/exchange/v1/messages", envelope("slow-1", kConsumer, kProvider, "slow"));
  });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (provider_->calls() == 0 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(provider_->calls(), 1) << "the first request never reached the provider";

  auto second = client();
  const auto refused =
      second.post("/exchange/v1/messages", envelope("conc-2", kConsumer, kProvider, "echo"));
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["code"], "Client.ConcurrencyLimit");
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_EQ(database_->scalar("SELECT status || '|' || error_code FROM audit_records "
                              "WHERE error_code = 'Client.ConcurrencyLimit'"),
            "429|Client.ConcurrencyLimit");

  // Another system is not held back by this one's limit.
  auto other = client("TEST-OTHER");
  EXPECT_EQ(other.request("GET", "/exchange/v1/catalog", "", "").status, 200);

  provider_->release_slow();
  EXPECT_EQ(first.get().status, 200);
  EXPECT_EQ(provider_->calls(), 1);
  // Its slot is free again once the first request has ended.
  const auto after =
      second.post("/exchange/v1/messages", envelope("conc-3", kConsumer, kProvider, "echo"));
  EXPECT_EQ(after.status, 200) << after.body;
}

TEST_F(ExchangeLimits, OversizedHeadersAreRefusedWith431) {
  auto consumer = client();
  const auto response = consumer.request(
      "POST", "/exchange/v1/messages", envelope("hdr-1", kConsumer, kProvider, "echo"),
      "application/json", {{"X-Padding", std::string(20 * 1024, 'a')}});
  EXPECT_EQ(response.status, 431) << response.body;
  EXPECT_EQ(json::parse(response.body)["code"], "Client.HeadersTooLarge");
  EXPECT_EQ(response.header("connection"), "close");
  EXPECT_EQ(provider_->calls(), 0);
  EXPECT_EQ(database_->scalar("SELECT status || '|' || error_code FROM audit_records"),
            "431|Client.HeadersTooLarge");
}

}  // namespace
}  // namespace lienthong::testing

// Asynchronous messages across hubs (federation_fixture.hpp): a Hà Nội
// system sends with Prefer: respond-async to a national service that takes
// queued delivery. Hà Nội's hub queues it (202) and its delivery worker
// passes it on to the national hub, which queues it once more and delivers
// it to the provider: store and forward, hop by hop, exactly once per hop
// (the same sender and id is the same message on every hub), through a
// national hub that is down for a while.
#include <thread>

#include <nlohmann/json.hpp>

#include "federation_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class FederationAsync : public FederationFixture {
 protected:
  void SetUp() override {
    FederationFixture::SetUp();
    ASSERT_NO_FATAL_FAILURE(register_hanoi_system());
    ASSERT_NO_FATAL_FAILURE(register_hanoi_at_national());
    database_->execute("UPDATE services SET allow_async = true WHERE service_code = 'echo'");
    ASSERT_TRUE(hub_->reload_registry().has_value());
    // Hà Nội holds a catalogue that says the echo takes queued delivery.
    held_in_province([](const json& held) {
      return held.contains("services") && held["services"].is_array() &&
             !held["services"].empty() && held["services"][0].value("async", false);
    });
  }

  void configure(Config& config) override {
    FederationFixture::configure(config);
    config.async.poll_ms = 50;
    config.async.backoff_initial_ms = 100;
    config.async.backoff_max_ms = 500;
  }

  ClientResponse send_async(const std::string& id, bool prefer_async = true) const {
    TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
    std::map<std::string, std::string> headers;
    if (prefer_async)
      headers["Prefer"] = "respond-async";
    return hanoi.request("POST", "/exchange/v1/messages",
                         envelope(id, kHanoiSystem, kProvider, "echo"), "application/json",
                         headers);
  }
  // A delivery row's state on `db` once it is `state` (or the last seen).
  static std::string wait_for(const TestDatabase& db, const std::string& id,
                              const std::string& state, std::chrono::seconds limit = 15s) {
    std::string seen;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      seen = db.scalar(
          "SELECT coalesce((SELECT state || '|' || coalesce(response_status::text, "
          "'-') FROM deliveries WHERE message_id = '" +
          id + "'), 'none')");
      if (seen.starts_with(state + "|"))
        return seen;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << id << " never reached " << state << "; last " << seen;
    return seen;
  }
  static std::string count(const TestDatabase& db, const std::string& where) {
    return db.scalar("SELECT count(*) FROM " + where);
  }
};

TEST_F(FederationAsync, AQueuedMessageCrossesBothHubsOnceEach) {
  const auto accepted = send_async("async-fed-1");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(accepted.header("location"), "/exchange/v1/messages/async-fed-1");
  EXPECT_EQ(json::parse(accepted.body)["service"], std::string(kPublishedEcho) + "/v1");

  // Hà Nội's hop ends when the national hub has queued it (202); the
  // national hop when the provider answered.
  EXPECT_EQ(wait_for(*province_db_, "async-fed-1", "delivered"), "delivered|202");
  EXPECT_EQ(wait_for(*database_, "async-fed-1", "delivered"), "delivered|200");
  EXPECT_EQ(provider_->calls(), 1);
  EXPECT_EQ(count(*database_, "deliveries WHERE message_id = 'async-fed-1'"), "1");

  // The sender reads its message at its own hub: handed to the national hub,
  // with the national hub's receipt of it in its status document.
  TestClient hanoi(province_->exchange_port(), "MOTCUA-HN", "foreign-ca.crt");
  const auto status = hanoi.request("GET", "/exchange/v1/messages/async-fed-1", "", "");
  ASSERT_EQ(status.status, 200) << status.body;
  const auto document = json::parse(status.body);
  EXPECT_EQ(document["state"], "delivered");
  EXPECT_EQ(document["response"]["status"], 202);
  EXPECT_EQ(document["response"]["body"]["messageId"], "async-fed-1");
  // ...and, asked of the national hub on the sender's behalf, how it went there.
  EXPECT_EQ(document["nextHub"]["instance"], "VN") << document.dump();
  EXPECT_EQ(document["nextHub"]["status"]["state"], "delivered");
  EXPECT_EQ(document["nextHub"]["status"]["response"]["status"], 200);
  EXPECT_EQ(document["nextHub"]["status"]["response"]["body"]["received"]["idNumber"],
            "001089012345");
  EXPECT_EQ(province_db_->scalar("SELECT downstream_record_hash FROM audit_records WHERE "
                                 "message_id = 'async-fed-1' AND method = 'GET'"),
            database_->scalar("SELECT record_hash FROM audit_records WHERE message_id = "
                              "'async-fed-1' AND method = 'GET'"))
      << "the read is recorded on both hubs, linked by the receipt";

  // Audit: Hà Nội recorded the submission and its delivery attempt, which
  // holds the receipt of the national record of the 202; the national hub
  // recorded that 202 (from Hà Nội's hub, for the Hà Nội system) and its own
  // delivery to the provider.
  const auto row = [](const TestDatabase& db, const std::string& path) {
    return db.scalar(
        "SELECT concat_ws('|', status, consumer, coalesce(upstream_instance, '-'), "
        "coalesce(downstream_instance, '-')) FROM audit_records WHERE message_id = "
        "'async-fed-1' AND path = '" +
        path + "'");
  };
  EXPECT_EQ(row(*province_db_, "/exchange/v1/messages"),
            std::string("202|") + kHanoiSystem + "|-|-");
  EXPECT_EQ(row(*province_db_, "(async delivery)"), std::string("202|") + kHanoiSystem + "|-|VN");
  EXPECT_EQ(row(*database_, "/federation/v1/messages"),
            std::string("202|") + kHanoiSystem + "|VN-HN|-");
  EXPECT_EQ(row(*database_, "(async delivery)"), std::string("200|") + kHanoiSystem + "|-|-");
  EXPECT_EQ(province_db_->scalar("SELECT downstream_record_hash FROM audit_records WHERE "
                                 "message_id = 'async-fed-1' AND path = '(async delivery)'"),
            database_->scalar("SELECT record_hash FROM audit_records WHERE message_id = "
                              "'async-fed-1' AND path = '/federation/v1/messages'"));
}

// Hà Nội's hub loses the national hub's answer (here: its row is put back
// as if its lease had run out) and passes the message on again: the national
// hub already has it, answers 202 for the same message, and the provider is
// called once.
TEST_F(FederationAsync, PassingAMessageOnTwiceQueuesItOnceAtTheNextHub) {
  ASSERT_EQ(send_async("async-fed-2").status, 202);
  wait_for(*province_db_, "async-fed-2", "delivered");
  wait_for(*database_, "async-fed-2", "delivered");
  province_db_->execute(
      "UPDATE deliveries SET state = 'queued', next_attempt_at = now(), response_status = NULL "
      "WHERE message_id = 'async-fed-2'");
  EXPECT_EQ(wait_for(*province_db_, "async-fed-2", "delivered"), "delivered|202");
  EXPECT_EQ(count(*province_db_,
                  "audit_records WHERE message_id = 'async-fed-2' AND path = "
                  "'(async delivery)'"),
            "2")
      << "Hà Nội passed it on twice";
  EXPECT_EQ(count(*database_,
                  "audit_records WHERE message_id = 'async-fed-2' AND path = "
                  "'/federation/v1/messages' AND status = 202"),
            "2")
      << "and the national hub answered both";
  EXPECT_EQ(count(*database_, "deliveries WHERE message_id = 'async-fed-2'"), "1");
  std::this_thread::sleep_for(300ms);  // a second national delivery would have started by now
  EXPECT_EQ(provider_->calls(), 1);
}

// The national hub is down when the message is sent, and for Hà Nội's first
// attempts; it comes back (a new process, listening elsewhere, as after a
// move) and the message goes through once.
TEST_F(FederationAsync, AMessageWaitsForANationalHubThatIsDownAndGoesThroughOnce) {
  hub_.reset();
  ASSERT_EQ(send_async("async-fed-3").status, 202) << "queued at Hà Nội's hub";
  // Attempts fail while the national hub is away, and are retried: seen as
  // failed after two attempts (read in one query: the worker may claim the
  // row again at any moment).
  std::string failed;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (failed.empty() && std::chrono::steady_clock::now() < deadline) {
    failed = province_db_->scalar(
        "SELECT coalesce((SELECT last_error_code FROM deliveries WHERE message_id = "
        "'async-fed-3' AND attempts >= 2 AND state = 'failed'), '')");
    if (failed.empty())
      std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(failed.starts_with("Provider.")) << "failed, to be retried: '" << failed << "'";
  EXPECT_EQ(count(*database_, "deliveries WHERE message_id = 'async-fed-3'"), "0");

  start_hub();
  province_db_->execute("UPDATE peers SET exchange_url = '" + national_url() + "'");
  ASSERT_TRUE(province_->reload_registry().has_value());
  EXPECT_EQ(wait_for(*province_db_, "async-fed-3", "delivered", 30s), "delivered|202");
  EXPECT_EQ(wait_for(*database_, "async-fed-3", "delivered"), "delivered|200");
  EXPECT_EQ(count(*database_, "deliveries WHERE message_id = 'async-fed-3'"), "1");
  EXPECT_EQ(provider_->calls(), 1);
  // Every attempt Hà Nội made is on its record, the failed ones too.
  EXPECT_GE(std::stoi(count(*province_db_,
                            "audit_records WHERE message_id = 'async-fed-3' AND "
                            "path = '(async delivery)'")),
            3);
}

// The provider's hub decides: without its agreement the national hub
// refuses the message, and Hà Nội's hub gives it up (dead) with that reason.
TEST_F(FederationAsync, ARefusalAtTheProvidersHubEndsTheMessageWithItsReason) {
  database_->execute(
      "UPDATE agreements SET status = 'revoked' FROM systems c WHERE "
      "c.id = consumer_system_id AND c.system_code = 'DVC-HN'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  ASSERT_EQ(send_async("async-fed-4").status, 202);
  EXPECT_EQ(wait_for(*province_db_, "async-fed-4", "dead"), "dead|-");
  EXPECT_EQ(province_db_->scalar(
                "SELECT last_error_code FROM deliveries WHERE message_id = 'async-fed-4'"),
            "Client.NoAgreement");
  EXPECT_EQ(count(*database_, "deliveries WHERE message_id = 'async-fed-4'"), "0");
  EXPECT_EQ(provider_->calls(), 0);
}

// A peer reads only what it vouches for: the message and the read named in
// its assertion, of a sender registered here, who queued it.
TEST_F(FederationAsync, APeerReadsOnlyTheMessagesOfTheSenderItVouchesFor) {
  ASSERT_EQ(send_async("async-fed-6").status, 202);
  wait_for(*database_, "async-fed-6", "delivered");
  const auto read = [this](const std::string& path, const federation::AssertionClaims& claims) {
    TestClient peer(hub_->exchange_port(), "TEST-FOREIGN");
    return peer.request(
        "GET", path, "", "",
        {{std::string(federation::kAssertionHeader), signed_by("hn-catalogue.key", claims)}});
  };
  // What Hà Nội's hub vouches for to read its sender's message.
  auto claims = vouching("", "async-fed-6");
  claims.service = std::string(kPublishedEcho) + "/v1";
  claims.operation = "GET /federation/v1/messages/async-fed-6";

  claims.token_id = "read-1";
  const auto genuine = read("/federation/v1/messages/async-fed-6", claims);
  EXPECT_EQ(genuine.status, 200) << genuine.body;
  EXPECT_EQ(json::parse(genuine.body)["state"], "delivered");
  EXPECT_FALSE(genuine.header("lienthong-record-hash").empty());
  EXPECT_EQ(database_->scalar("SELECT concat_ws('|', consumer, provider, service, service_version) "
                              "FROM audit_records WHERE message_id = 'async-fed-6' AND method = "
                              "'GET'"),
            std::string(kHanoiSystem) + "|" + kProvider + "|echo|v1")
      << "the read is recorded as of the message's service";

  claims.token_id = "read-2";
  EXPECT_EQ(read("/federation/v1/messages/async-fed-9", claims).status, 401)
      << "another message than vouched for";
  auto other = claims;
  other.token_id = "read-3";
  other.message_id = "async-fed-9";
  other.operation = "GET /federation/v1/messages/async-fed-9";
  EXPECT_EQ(read("/federation/v1/messages/async-fed-9", other).status, 404)
      << "a message this sender never queued";
  other = claims;
  other.token_id = "read-4";
  other.consumer = "VN-HN/GOV/000.00.01.H26/OTHER";
  EXPECT_EQ(read("/federation/v1/messages/async-fed-6", other).status, 403)
      << "a sender not registered here";
  other = claims;
  other.token_id = "read-5";
  other.service = std::string(kProvider) + "/slow/v1";
  EXPECT_EQ(read("/federation/v1/messages/async-fed-6", other).status, 404)
      << "the message, but of another service than vouched for";
}

// Without Prefer: respond-async the call is synchronous through both hubs.
TEST_F(FederationAsync, WithoutThePreferenceTheCallIsSynchronous) {
  const auto answer = send_async("async-fed-5", /*prefer_async=*/false);
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(count(*province_db_, "deliveries"), "0");
  EXPECT_EQ(count(*database_, "deliveries"), "0");
}

}  // namespace
}  // namespace lienthong::testing

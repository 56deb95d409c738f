// Durable store-and-forward delivery: a sender gets 202 once its message is
// committed to the queue, reads the outcome (and the provider's answer) at
// /exchange/v1/messages/{id}, resubmits idempotently, and dead letters wait
// for an administrator. The last test is the promise itself: 1,000 messages,
// two hub nodes draining one queue, the provider stopped halfway and
// restarted; every message arrives at least once, and a provider that does
// what providers are told (recognise a repeat by X-Lienthong-Message-Id and
// answer it as before) acts on each exactly once.
#include <atomic>
#include <iostream>
#include <map>
#include <thread>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "admin_fixture.hpp"
#include "loopback_server.hpp"
#include "raw_provider.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A provider as docs/architecture.md tells providers to be: a message id it
// has seen is a repeat, answered as before and not acted on again. That
// works only if a repeat carries the same id and the same message, which is
// what it checks; it counts the arrivals per id.
class DeduplicatingProvider final : public net::HttpHandler {
 public:
  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override {
    const std::string id(request.header("X-Lienthong-Message-Id"));
    {
      std::lock_guard lock(mutex_);
      ++arrivals_[id];
      const auto [first, is_new] = bodies_.try_emplace(id, request.body);
      if (!is_new && first->second != request.body)
        ++altered_repeats_;
    }
    co_return net::HttpResponse::with_body(200, R"({"accepted":true})");
  }
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest, Error error) override {
    co_return net::HttpResponse::with_body(error.http_status(), "{}");
  }
  std::map<std::string, int> arrivals() const {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }
  int altered_repeats() const {
    std::lock_guard lock(mutex_);
    return altered_repeats_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int> arrivals_;
  std::map<std::string, std::string> bodies_;  // as first received
  int altered_repeats_ = 0;
};

class AsyncDelivery : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    // The echo service's provider accepts queued delivery.
    database_->execute("UPDATE services SET allow_async = true WHERE service_code = 'echo'");
    ASSERT_TRUE(hub_->reload_registry().has_value());
  }

  void configure(Config& config) override {
    config.async.poll_ms = 50;
    config.async.backoff_initial_ms = 50;
    config.async.backoff_max_ms = 200;
    config.async.max_attempts = 3;
    // A stopped provider opens its breaker; deliveries then wait for the probe.
    config.provider.breaker_cooldown_ms = 200;
  }

  ClientResponse send_async(const std::string& id, const std::string& to,
                            const std::string& service,
                            const std::string& body = R"({"idNumber":"001089012345"})",
                            bool prefer_async = true) {
    std::map<std::string, std::string> headers;
    if (prefer_async)
      headers["Prefer"] = "respond-async";
    return client().request("POST", "/exchange/v1/messages",
                            envelope(id, kConsumer, to, service, body), "application/json",
                            headers);
  }

  // The sender's view of its message once it reaches `state` (or the last seen).
  json wait_for_state(const std::string& id, const std::string& state,
                      std::chrono::milliseconds limit = 10s) {
    json document;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto response = client().request("GET", "/exchange/v1/messages/" + id, "", "");
      EXPECT_EQ(response.status, 200) << response.body;
      document = json::parse(response.body);
      if (document["state"] == state)
        return document;
      std::this_thread::sleep_for(25ms);
    }
    ADD_FAILURE() << id << " did not reach " << state << ": " << document.dump();
    return document;
  }

  int delivery_audits(const std::string& id, int status) const {
    return std::stoi(database_->scalar(
        "SELECT count(*) FROM audit_records WHERE path = '(async delivery)' AND message_id = '" +
        id + "' AND status = " + std::to_string(status)));
  }
};

TEST_F(AsyncDelivery, TheSenderGets202AndLaterReadsTheProvidersAnswer) {
  const auto accepted = send_async("async-1", kProvider, "echo");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(accepted.header("location"), "/exchange/v1/messages/async-1");
  EXPECT_EQ(accepted.header("preference-applied"), "respond-async");
  const auto queued = json::parse(accepted.body);
  EXPECT_EQ(queued["messageId"], "async-1");
  EXPECT_TRUE(queued["state"] == "queued" || queued["state"] == "delivering") << queued.dump();

  const auto done = wait_for_state("async-1", "delivered");
  EXPECT_EQ(done["attempts"], 1);
  EXPECT_EQ(done["response"]["status"], 200);
  EXPECT_EQ(done["response"]["body"]["received"], json::parse(R"({"idNumber":"001089012345"})"));
  ASSERT_EQ(provider_->received().size(), 1u);
  EXPECT_EQ(provider_->received().front().header("X-Lienthong-Message-Id"), "async-1");
  EXPECT_EQ(provider_->received().front().header("X-Lienthong-Client"), kConsumer);

  // Only the sender may read it; for anyone else it does not exist.
  const auto other = client("TEST-OTHER").request("GET", "/exchange/v1/messages/async-1", "", "");
  EXPECT_EQ(other.status, 404) << other.body;
  EXPECT_EQ(other.body.find("001089012345"), std::string::npos);

  // Audited: the submission (202) and the delivery (200).
  EXPECT_EQ(std::stoi(database_->scalar("SELECT count(*) FROM audit_records WHERE "
                                        "message_id = 'async-1' AND status = 202")),
            1);
  EXPECT_EQ(delivery_audits("async-1", 200), 1);
}

TEST_F(AsyncDelivery, ResubmittingTheSameMessageIsTheSameMessage) {
  ASSERT_EQ(send_async("again-1", kProvider, "echo").status, 202);
  const auto repeated = send_async("again-1", kProvider, "echo");
  ASSERT_EQ(repeated.status, 202) << repeated.body;
  wait_for_state("again-1", "delivered");
  EXPECT_EQ(send_async("again-1", kProvider, "echo").status, 202);
  // Delivered is final: the resubmission left the one queue row as it was,
  // so there is nothing left to deliver (no waiting needed to see that).
  EXPECT_EQ(
      database_->scalar(
          "SELECT count(*) || '|' || min(state::text) || '|' || min(attempts) FROM deliveries "
          "WHERE message_id = 'again-1'"),
      "1|delivered|1");
  EXPECT_EQ(provider_->calls(), 1) << "one message, one delivery";

  const auto different = send_async("again-1", kProvider, "echo", R"({"idNumber":"001089099999"})");
  EXPECT_EQ(different.status, 409) << different.body;
  EXPECT_EQ(json::parse(different.body)["code"], "Client.Conflict");
}

TEST_F(AsyncDelivery, APreferenceTheProviderHasNotAllowedIsIgnored) {
  database_->execute("UPDATE services SET allow_async = false WHERE service_code = 'echo'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const auto answered = send_async("sync-1", kProvider, "echo");
  EXPECT_EQ(answered.status, 200) << "answered at once, as RFC 7240 allows: " << answered.body;
  EXPECT_EQ(answered.header("preference-applied"), "");
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM deliveries"), "0");
}

TEST_F(AsyncDelivery, AServiceRegisteredAsyncIsAlwaysQueued) {
  register_provider("TEST-ASYNC", "http://127.0.0.1:" + std::to_string(provider_->port()) + "/api",
                    "notify", "/echo", {{"adapter_kind", "async"}});
  const auto accepted =
      send_async("always-1", std::string(kProviderMember) + "/TEST-ASYNC", "notify", "{}", false);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(wait_for_state("always-1", "delivered")["response"]["status"], 200);
}

TEST_F(AsyncDelivery, AFailingProviderIsRetriedThenDeadUntilAnAdminRequeuesIt) {
  RawProvider raw({RawProvider::Step::kServerError});
  register_provider("TEST-FLAKY", raw.url(), "flaky", "/flaky", {{"allow_async", true}});
  const std::string flaky = std::string(kProviderMember) + "/TEST-FLAKY";
  ASSERT_EQ(send_async("flaky-1", flaky, "flaky", "{}").status, 202);

  const auto dead = wait_for_state("flaky-1", "dead");
  EXPECT_EQ(dead["attempts"], 3);
  EXPECT_EQ(dead["lastError"]["code"], "Provider.Error");
  EXPECT_EQ(raw.requests(), 3) << "max_attempts, then no more";
  EXPECT_EQ(delivery_audits("flaky-1", 502), 3) << "every attempt is audited";

  auto operator_client = hub_admin();
  const auto letters = operator_client.get("/admin/v1/deliveries?state=dead");
  ASSERT_EQ(letters.status, 200) << letters.body;
  const auto page = AdminClient::json_of(letters);
  ASSERT_EQ(page["items"].size(), 1u) << letters.body;
  const auto item = page["items"][0];
  EXPECT_EQ(item["message_id"], "flaky-1");
  EXPECT_FALSE(item.contains("response_body")) << "admins see no message content";
  const std::string path = "/admin/v1/deliveries/" + std::to_string(item["id"].get<int>());

  EXPECT_EQ(admin(token("auditor")).post(path + "/requeue").status, 403);
  EXPECT_EQ(admin(token("member-admin", "VN/GOV/TEST.02")).get(path).status, 404)
      << "not that member's message";

  raw.set_script({RawProvider::Step::kAnswer});
  const auto requeued = admin(token("member-admin", kConsumerMember)).post(path + "/requeue");
  ASSERT_EQ(requeued.status, 200) << requeued.body;
  EXPECT_EQ(AdminClient::json_of(requeued)["state"], "queued");
  const auto delivered = wait_for_state("flaky-1", "delivered");
  EXPECT_EQ(delivered["response"]["body"], json::parse(R"({"ok":true})"));
  EXPECT_EQ(operator_client.post(path + "/requeue").status, 409)
      << "a delivered message stays delivered";
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM admin_changes WHERE entity = 'deliveries' "
                              "AND action = 'requeue'"),
            "1");
}

class AsyncDeliveryAtScale : public AsyncDelivery {
 protected:
  void configure(Config& config) override {
    AsyncDelivery::configure(config);
    config.async.max_attempts = 1'000;  // the provider is down a while: never give up here
    config.async.batch = 16;            // smaller batches than the default: nodes take turns
  }
};

TEST_F(AsyncDeliveryAtScale, AThousandMessagesTwoNodesAndAProviderRestartEachRecognisablyOnce) {
  auto counter = std::make_shared<DeduplicatingProvider>();
  auto provider = std::make_unique<LoopbackServer>(counter);
  const std::uint16_t port = provider->port();
  register_provider("TEST-CLAIMS", provider->url(), "claims", "/claims",
                    {{"adapter_kind", "async"}, {"timeout_ms", 2000}});
  const std::string claims = std::string(kProviderMember) + "/TEST-CLAIMS";

  // A second node on the same database.
  auto config = test_config(database_->url());
  configure(config);
  config.node.name = "test-node-2";
  cli::Hub second(config, std::make_shared<spdlog::logger>(
                              "second-node", std::make_shared<spdlog::sinks::null_sink_mt>()));
  second.start();

  // Sent by four clients at once: the first half while the provider is up,
  // the second after it stopped.
  constexpr int kMessages = 1000;
  constexpr int kSenders = 4;
  std::atomic<int> refused{0};
  const auto send_range = [&](int first, int count) {
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s) {
      senders.emplace_back([&, s] {
        auto consumer = client();
        for (int i = first + s; i < first + count; i += kSenders) {
          const std::string id = "claim-" + std::to_string(i);
          const auto accepted = consumer.request(
              "POST", "/exchange/v1/messages",
              envelope(id, kConsumer, claims, "claims", R"({"claim":)" + std::to_string(i) + "}"),
              "application/json", {});
          if (accepted.status != 202)
            ++refused;
        }
      });
    }
    for (auto& sender : senders)
      sender.join();
  };
  send_range(0, kMessages / 2);
  provider.reset();  // stopped halfway: deliveries fail and are retried
  send_range(kMessages / 2, kMessages / 2);
  ASSERT_EQ(refused.load(), 0) << "every message is accepted while the provider is down";
  // Restarted once deliveries have been seen to fail while it was away.
  const auto failing_until = std::chrono::steady_clock::now() + 30s;
  while (database_->scalar("SELECT count(*) FROM audit_records "
                           "WHERE path = '(async delivery)' AND status <> 200") == "0" &&
         std::chrono::steady_clock::now() < failing_until)
    std::this_thread::sleep_for(20ms);
  provider = std::make_unique<LoopbackServer>(counter, nullptr, port);  // restarted

  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline &&
         database_->scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered'") !=
             std::to_string(kMessages))
    std::this_thread::sleep_for(100ms);

  EXPECT_EQ(database_->scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered'"),
            std::to_string(kMessages));
  // At least once, and every repeat recognisable: as many distinct ids as
  // messages (none lost, none repeated under another id), each repeat the
  // same message, so a provider acts on each once.
  const auto arrivals = counter->arrivals();
  ASSERT_EQ(arrivals.count(""), 0u) << "every delivery carries X-Lienthong-Message-Id";
  EXPECT_EQ(arrivals.size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(counter->altered_repeats(), 0) << "a repeat differed from its first delivery";
  int repeats = 0;
  for (const auto& [id, count] : arrivals)
    repeats += count - 1;
  std::cout << "[ measured ] " << repeats << " repeated arrival(s) of " << kMessages
            << " messages\n";
  EXPECT_NE(database_->scalar("SELECT count(*) FROM audit_records "
                              "WHERE path = '(async delivery)' AND status <> 200"),
            "0")
      << "attempts failed while the provider was down, and were tried again";
  EXPECT_EQ(database_->scalar("SELECT count(DISTINCT node) FROM audit_records "
                              "WHERE path = '(async delivery)' AND status = 200"),
            "2")
      << "both nodes drained the queue";
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records "
                              "WHERE path = '(async delivery)' AND status = 200"),
            std::to_string(kMessages))
      << "every delivery audited once";
}

}  // namespace
}  // namespace lienthong::testing

namespace lienthong::testing {
namespace {

// A node that died mid-delivery leaves its claim; once the lease has run
// out, another node delivers the message. A live lease is left alone.
TEST_F(AsyncDelivery, AnotherNodeTakesOverAClaimWhoseLeaseRanOut) {
  const std::string body = R"({"idNumber":"001089012345"})";
  const auto claimed_by = [&](const std::string& id, const std::string& node,
                              const std::string& lease) {
    database_->execute(
        "INSERT INTO deliveries (message_id, consumer_system_id, consumer, provider_system_id, "
        "service, request_id, request_body, request_sha256, state, attempts, max_attempts, "
        "lease_until, claimed_by) SELECT '" +
        id + "', c.id, '" + std::string(kConsumer) + "', p.id, '" + std::string(kProvider) +
        "/echo/v1', 'req-" + id + "', '" + body + "', encode(sha256('" + body +
        "'), 'hex'), 'delivering', 1, 3, " + lease + ", '" + node +
        "' FROM systems c, systems p WHERE c.system_code = 'TEST-CONSUMER' AND "
        "p.system_code = 'TEST-PROVIDER'");
  };
  claimed_by("orphan-1", "gone-node", "now() - interval '1 second'");
  claimed_by("leased-1", "busy-node", "now() + interval '1 hour'");

  const auto delivered = wait_for_state("orphan-1", "delivered");
  EXPECT_EQ(delivered["attempts"], 2) << "the dead node's attempt counts";
  EXPECT_EQ(database_->scalar("SELECT node FROM audit_records WHERE message_id = 'orphan-1' "
                              "AND path = '(async delivery)' AND status = 200"),
            "test-node");
  // The worker has claimed since (it took the orphan), and left the live lease alone.
  EXPECT_EQ(database_->scalar(
                "SELECT state || '|' || claimed_by FROM deliveries WHERE message_id = 'leased-1'"),
            "delivering|busy-node");
  EXPECT_EQ(provider_->calls(), 1);
}

// A message whose provider is slow holds its own delivery slot, not the
// worker: messages to another service queued after it are delivered while it
// is still in flight. (A claimed batch used to wait for its slowest message,
// and the worker claimed nothing meanwhile.)
TEST_F(AsyncDelivery, ASlowProviderHoldsItsOwnSlotNotTheMessagesQueuedAfterIt) {
  database_->execute(
      "UPDATE services SET allow_async = true, timeout_ms = 30000 WHERE service_code = 'slow'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  provider_->hold_slow();
  ASSERT_EQ(send_async("held-1", kProvider, "slow").status, 202);
  const auto reached = [&] {
    for (const auto& request : provider_->received()) {
      if (request.path() == "/api/slow")
        return true;
    }
    return false;
  };
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!reached() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(reached()) << "the slow message was never delivered to its provider";

  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(send_async("flowing-" + std::to_string(i), kProvider, "echo").status, 202);
  for (int i = 0; i < 5; ++i)
    wait_for_state("flowing-" + std::to_string(i), "delivered");
  EXPECT_EQ(wait_for_state("held-1", "delivering", 1s)["state"], "delivering")
      << "the slow message should still be in flight";

  provider_->release_slow();
  const auto done = wait_for_state("held-1", "delivered");
  EXPECT_EQ(done["attempts"], 1);
}

// Idle workers wait on the queue's NOTIFY, not on their poll interval: a
// message is delivered at once, and stopping the hub does not wait the
// interval out (it waited up to async.poll_ms before).
class AsyncDeliveryWithALongPoll : public AsyncDelivery {
 protected:
  void configure(Config& config) override {
    AsyncDelivery::configure(config);
    config.async.poll_ms = 60'000;
  }
};

TEST_F(AsyncDeliveryWithALongPoll, AQueuedMessageWakesAnIdleWorkerAndStopIsImmediate) {
  std::this_thread::sleep_for(200ms);  // the workers are idle in their wait
  ASSERT_EQ(send_async("wake-1", kProvider, "echo").status, 202);
  wait_for_state("wake-1", "delivered", 10s);

  const auto stopping = std::chrono::steady_clock::now();
  hub_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 10s);
}

}  // namespace
}  // namespace lienthong::testing

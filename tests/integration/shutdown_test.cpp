// Stopping a node: SIGTERM takes it out of rotation at once, then it drains,
// answering every request it accepted with its audit record committed, and
// seals its chain before it exits.
#include <atomic>
#include <csignal>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hub_fixture.hpp"
#include "hub_process.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using Shutdown = HubFixture;

// A load balancer polling /readyz must stop sending at once when a node is
// told to stop, while the node still finishes what it accepted.
TEST_F(Shutdown, ReadyzAnswers503AsSoonAsSigtermArrives) {
  database_->execute("UPDATE services SET timeout_ms = 5000 WHERE service_code = 'slow'");
  HubProcessOptions options;
  options.settings = {{"LIMITS_SHUTDOWN_GRACE_MS", "10000"}};
  HubProcess process("readyz-node", database_->url(), options);
  TestClient probe(process.admin_port(), std::nullopt);
  ASSERT_EQ(probe.request("GET", "/readyz", "", "").status, 200);

  // A slow call in flight keeps the node draining for about two seconds.
  std::thread slow([&] {
    TestClient consumer(process.exchange_port(), "TEST-CONSUMER");
    const auto answer = consumer.post("/exchange/v1/messages",
                                      envelope("readyz-slow", kConsumer, kProvider, "slow"));
    EXPECT_EQ(answer.status, 200) << "the call accepted before SIGTERM is answered";
  });
  const auto at_provider_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (provider_->calls() < 1 && std::chrono::steady_clock::now() < at_provider_until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(provider_->calls(), 1);

  process.send_signal(SIGTERM);
  const auto sent = std::chrono::steady_clock::now();
  ClientResponse readiness;
  while (std::chrono::steady_clock::now() - sent < std::chrono::seconds(1)) {
    readiness = TestClient(process.admin_port(), std::nullopt).request("GET", "/readyz", "", "");
    if (readiness.status == 503)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto took = std::chrono::steady_clock::now() - sent;
  ASSERT_EQ(readiness.status, 503) << "still ready a second after SIGTERM";
  EXPECT_FALSE(json::parse(readiness.body)["checks"]["accepting_requests"].get<bool>());
  EXPECT_EQ(provider_->calls(), 1) << "the slow call is still being drained";
  std::cout << "[ measured ] /readyz said 503 "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms after SIGTERM\n";
  slow.join();
  EXPECT_EQ(process.wait_for_exit(std::chrono::seconds(20)), 0);
}

// Behind a load balancer (limits.shutdown_notice_ms): until the balancer has
// seen /readyz fail, it still sends connections to the node, and clients still
// hold idle keep-alive connections to it. Neither may meet a closed socket:
// the node serves on through the notice, each answer ending its connection.
TEST_F(Shutdown, DuringTheNoticeTheNodeStillServesAndEachAnswerClosesItsConnection) {
  HubProcessOptions options;
  options.settings = {{"LIMITS_SHUTDOWN_NOTICE_MS", "3000"}};
  HubProcess process("notice-node", database_->url(), options);
  TestClient idle(process.exchange_port(), "TEST-CONSUMER");
  const auto first =
      idle.post("/exchange/v1/messages", envelope("notice-1", kConsumer, kProvider, "echo"));
  ASSERT_EQ(first.status, 200);
  ASSERT_NE(first.header("connection"), "close");

  process.send_signal(SIGTERM);
  const auto sent = std::chrono::steady_clock::now();
  int readiness = 0;
  while (std::chrono::steady_clock::now() - sent < std::chrono::seconds(1)) {
    readiness =
        TestClient(process.admin_port(), std::nullopt).request("GET", "/readyz", "", "").status;
    if (readiness == 503)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(readiness, 503);
  // Well past the moment a node without notice has closed everything (it
  // stops once nothing has been in flight for 50 ms).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_LT(std::chrono::steady_clock::now() - sent, std::chrono::milliseconds(2500))
      << "the machine was too slow for this test's timing";

  const auto on_idle =
      idle.post("/exchange/v1/messages", envelope("notice-2", kConsumer, kProvider, "echo"));
  EXPECT_EQ(on_idle.status, 200)
      << "a request on a keep-alive connection held since before SIGTERM";
  EXPECT_EQ(on_idle.header("connection"), "close");
  EXPECT_EQ(idle.connections_opened(), 1);
  TestClient late(process.exchange_port(), "TEST-CONSUMER");
  const auto on_new =
      late.post("/exchange/v1/messages", envelope("notice-3", kConsumer, kProvider, "echo"));
  EXPECT_EQ(on_new.status, 200) << "a connection opened during the notice";
  EXPECT_EQ(on_new.header("connection"), "close");

  EXPECT_EQ(process.wait_for_exit(std::chrono::seconds(20)), 0);
  EXPECT_EQ(
      database_->scalar("SELECT count(*) FROM audit_records WHERE node = 'notice-node' AND "
                        "message_id IN ('notice-1', 'notice-2', 'notice-3') AND status = 200"),
      "3");
}

TEST_F(Shutdown, SigtermUnderLoadAnswersEveryAcceptedRequestAndLosesNoAuditRecord) {
  const std::string node = "drain-node";
  // slow answers after 2 s; let it, so its calls are in flight at SIGTERM.
  database_->execute("UPDATE services SET timeout_ms = 5000 WHERE service_code = 'slow'");
  HubProcessOptions options;
  options.settings = {{"EXCHANGE_THREADS", "2"}, {"LIMITS_SHUTDOWN_GRACE_MS", "10000"}};
  HubProcess process(node, database_->url(), options);

  struct Answer {
    std::string message_id;
    int status;
    bool slow;
  };
  std::mutex mutex;
  std::vector<Answer> answers;
  // A worker stops at its first transport failure; that must come from the
  // hub closing after SIGTERM, never before (a dead hub would fail them all).
  std::vector<std::string> early_failures;
  std::atomic<bool> sigterm_sent{false};
  std::atomic<int> slow_in_flight{0};
  const auto load = [&](int worker, bool slow) {
    TestClient consumer(process.exchange_port(), "TEST-CONSUMER");
    // Bounded: ends when the hub stops answering, or after 2,000 requests.
    for (int i = 0; i < 2000; ++i) {
      const std::string id = "drain-" + std::to_string(worker) + "-" + std::to_string(i);
      if (slow)
        ++slow_in_flight;
      try {
        const auto response = consumer.post(
            "/exchange/v1/messages", envelope(id, kConsumer, kProvider, slow ? "slow" : "echo"));
        std::lock_guard lock(mutex);
        answers.push_back({id, response.status, slow});
      } catch (const std::exception& e) {
        if (!sigterm_sent.load()) {
          std::lock_guard lock(mutex);
          early_failures.push_back(id + ": " + e.what());
        }
        return;  // refused or closed after SIGTERM: never accepted, so nothing to answer
      }
      if (slow)
        --slow_in_flight;
    }
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < 6; ++i)
    workers.emplace_back(load, i, /*slow=*/i < 2);
  // SIGTERM while both slow calls (2 s each) are at the provider and echo is busy.
  const auto slow_at_provider = [&] {
    int slow = 0;
    for (const auto& request : provider_->received())
      slow += request.path().ends_with("/slow") ? 1 : 0;
    return slow;
  };
  const auto answered = [&] {
    std::lock_guard lock(mutex);
    return answers.size();
  };
  const auto loaded_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((slow_at_provider() < 2 || answered() < 60) &&
         std::chrono::steady_clock::now() < loaded_until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(slow_at_provider(), 2) << "the slow calls did not reach the provider";
  const int slow_at_sigterm = slow_in_flight.load();
  sigterm_sent.store(true);
  process.send_signal(SIGTERM);
  EXPECT_EQ(process.wait_for_exit(std::chrono::seconds(20)), 0);
  for (auto& worker : workers)
    worker.join();

  ASSERT_EQ(slow_at_sigterm, 2);
  EXPECT_TRUE(early_failures.empty()) << early_failures.front();
  ASSERT_FALSE(answers.empty());
  int ok = 0;
  int slow_ok = 0;
  std::set<std::string> answered_ok;
  for (const auto& answer : answers) {
    EXPECT_LT(answer.status, 500) << answer.message_id;
    if (answer.status == 200) {
      ++ok;
      slow_ok += answer.slow ? 1 : 0;
      answered_ok.insert(answer.message_id);
    }
  }
  EXPECT_GT(ok, 50);
  EXPECT_EQ(slow_ok, 2) << "the calls in flight at SIGTERM were answered";
  // Every answered exchange is in the audit log, committed before the exit.
  const int audited = std::stoi(database_->scalar(
      "SELECT count(*) FROM audit_records WHERE node = '" + node + "' AND status = 200"));
  EXPECT_EQ(audited, ok);
  for (const auto& id : {answers.front().message_id, answers.back().message_id}) {
    EXPECT_EQ(database_->scalar("SELECT count(*) FROM audit_records WHERE message_id = '" + id +
                                "' AND node = '" + node + "'"),
              "1")
        << id;
  }
  // The chain was sealed at the end: a checkpoint covers the last record.
  EXPECT_EQ(
      database_->scalar("SELECT max(seq) FROM audit_records WHERE node = '" + node + "'"),
      database_->scalar("SELECT max(seq) FROM audit_checkpoints WHERE node = '" + node + "'"));
}

}  // namespace
}  // namespace lienthong::testing

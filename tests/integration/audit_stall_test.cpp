// A database that stops answering must not hold callers: with audit_records
// locked, exchanges are answered 503 Server.AuditUnavailable once
// audit.commit_timeout_ms has passed, /readyz turns unready so a load
// balancer moves traffic away, and when the lock is gone the log says what
// each caller was answered: never a 200 record for a 503 answer without a
// later record that corrects it.
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class AuditStall : public HubFixture {
 protected:
  void configure(Config& config) override { config.audit.commit_timeout_ms = 500; }

  bool ready() const {
    TestClient admin(hub_->admin_port(), std::nullopt);
    const auto answer = admin.request("GET", "/readyz", "", "");
    return answer.status == 200;
  }
  void wait_until_ready() const {
    for (int i = 0; i < 200 && !ready(); ++i)
      std::this_thread::sleep_for(50ms);
  }
};

TEST_F(AuditStall, ALockedAuditTableIsA503WithinTheTimeoutAndTheLogSaysSo) {
  wait_until_ready();
  ASSERT_TRUE(ready());
  auto consumer = client();
  ASSERT_EQ(consumer.post("/exchange/v1/messages", envelope("before", kConsumer, kProvider, "echo"))
                .status,
            200);

  pqxx::connection locker(database_->url());
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE audit_records IN ACCESS EXCLUSIVE MODE");
  std::vector<int> statuses;
  for (int i = 0; i < 3; ++i) {
    const auto started = std::chrono::steady_clock::now();
    const auto answer =
        consumer.post("/exchange/v1/messages",
                      envelope("stalled-" + std::to_string(i), kConsumer, kProvider, "echo"));
    const auto waited = std::chrono::steady_clock::now() - started;
    statuses.push_back(answer.status);
    EXPECT_EQ(answer.status, 503) << answer.body;
    EXPECT_EQ(json::parse(answer.body)["code"], "Server.AuditUnavailable");
    EXPECT_LT(waited, 3s) << "the caller waited for the lock, not for the timeout";
  }
  // The writer's oldest record grows older than the timeout while the lock holds.
  bool taken_out = !ready();
  for (int i = 0; i < 200 && !taken_out; ++i) {
    std::this_thread::sleep_for(25ms);
    taken_out = !ready();
  }
  EXPECT_TRUE(taken_out) << "a stuck audit log must take the node out of rotation";
  lock.abort();

  // Once the table is free every stalled exchange is in the log, and the
  // last record of each says 503, what its caller got.
  std::string outcome;
  for (int i = 0; i < 100; ++i) {
    outcome = database_->scalar(
        "SELECT string_agg(message_id || '=' || status || '/' || coalesce(error_code, ''), ',' "
        "ORDER BY message_id) FROM (SELECT DISTINCT ON (message_id) message_id, status, "
        "error_code FROM audit_records WHERE message_id LIKE 'stalled-%' "
        "ORDER BY message_id, seq DESC) last");
    if (outcome.size() > 0 && std::count(outcome.begin(), outcome.end(), '=') == 3)
      break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(outcome,
            "stalled-0=503/Server.AuditUnavailable,stalled-1=503/Server.AuditUnavailable,"
            "stalled-2=503/Server.AuditUnavailable");
  wait_until_ready();
  EXPECT_TRUE(ready());
  EXPECT_EQ(consumer.post("/exchange/v1/messages", envelope("after", kConsumer, kProvider, "echo"))
                .status,
            200);
}

}  // namespace
}  // namespace lienthong::testing

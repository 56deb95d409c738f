// Registry changes reach every node within seconds (LISTEN/NOTIFY), and a
// node that loses PostgreSQL keeps its last snapshot and reports not-ready.
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>
#include <vector>

#include "admin_fixture.hpp"
#include "hub_process.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kNewConsumer = "VN/PROV/TEST.03/NEW-CONSUMER";

// Polls `check` every 25 ms until it holds; returns how long that took, or
// nullopt after `limit`.
std::optional<std::chrono::milliseconds> time_until(const std::function<bool()>& check,
                                                    std::chrono::milliseconds limit) {
  const auto start = Clock::now();
  while (Clock::now() - start < limit) {
    if (check())
      return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return std::nullopt;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class LiveRegistry : public AdminFixture {};

// README and docs/scaling.md promise every node sees a change within a second.
TEST_F(LiveRegistry, ChangesOnOneNodeReachAnotherProcessWithinASecond) {
  HubProcess node_a("node-a", database_->url());
  HubProcess node_b("node-b", database_->url());
  AdminClient admin_a(node_a.admin_port(), hub_admin_token_);
  int attempt = 0;
  const auto call_b = [&] {
    TestClient caller(node_b.exchange_port(), "TEST-UNREGISTERED");
    const auto id = "two-node-" + std::to_string(++attempt);
    return caller.post("/exchange/v1/messages", envelope(id, kNewConsumer, kProvider, "echo"))
        .status;
  };
  ASSERT_EQ(call_b(), 401);

  // Register a new system with its certificate and an approved agreement, all on node A.
  ASSERT_EQ(admin_a
                .post("/admin/v1/systems",
                      {{"member", kConsumerMember}, {"code", "NEW-CONSUMER"}, {"name", "New"}})
                .status,
            201);
  ASSERT_EQ(admin_a
                .post("/admin/v1/credentials",
                      {{"system", kNewConsumer},
                       {"kind", "certificate"},
                       {"certificate_pem", read_file(pki_file("TEST-UNREGISTERED.crt"))}})
                .status,
            201);
  const auto requested = admin_a.post("/admin/v1/agreements", {{"consumer", kNewConsumer},
                                                               {"provider", kProvider},
                                                               {"service_code", "echo"},
                                                               {"purpose", "two-node test"},
                                                               {"legal_basis", "test"}});
  ASSERT_EQ(requested.status, 201) << requested.body;
  const auto path =
      "/admin/v1/agreements/" + std::to_string(AdminClient::json_of(requested)["id"].get<int>());
  ASSERT_EQ(admin_a.post(path + "/approve").status, 200);

  const auto granted = time_until([&] { return call_b() == 200; }, std::chrono::seconds(1));
  ASSERT_TRUE(granted.has_value()) << "node B did not accept the new system within 1 s";
  std::cout << "[ measured ] new system callable on node B after " << granted->count() << " ms\n";

  ASSERT_EQ(admin_a.post(path + "/revoke", {{"reason", "test"}}).status, 200);
  const auto refused = time_until([&] { return call_b() == 403; }, std::chrono::seconds(1));
  ASSERT_TRUE(refused.has_value()) << "node B still accepted a revoked agreement after 1 s";
  std::cout << "[ measured ] revocation effective on node B after " << refused->count() << " ms\n";
}

TEST_F(LiveRegistry, NodeWithoutPostgresKeepsItsSnapshotAndReportsNotReady) {
  TestClient probe(hub_->admin_port(), std::nullopt);
  // Ready once the change listener has connected, shortly after start.
  ASSERT_TRUE(time_until([&] { return hub_->ready(); }, std::chrono::seconds(5)).has_value());
  ASSERT_EQ(probe.request("GET", "/readyz", "", "").status, 200);
  const auto version_before = hub_->registry_version();

  database_->set_reachable(false);
  const auto noticed = time_until([&] { return !hub_->ready(); }, std::chrono::seconds(2));
  EXPECT_TRUE(noticed.has_value());
  const auto readiness = probe.request("GET", "/readyz", "", "");
  EXPECT_EQ(readiness.status, 503);
  EXPECT_FALSE(AdminClient::json_of(readiness)["ready"].get<bool>());
  // The snapshot still authenticates and authorizes; without the audit log
  // the exchange fails closed rather than answer unrecorded. The first call
  // is the race the design leaves open: the writer learns the database is
  // gone only when that call's record fails, so its provider may have been
  // called (its answer is withheld).
  auto consumer = client();
  const auto during =
      consumer.post("/exchange/v1/messages", envelope("pg-down-1", kConsumer, kProvider, "echo"));
  EXPECT_EQ(during.status, 503);
  EXPECT_EQ(json::parse(during.body)["code"], "Server.AuditUnavailable");
  ASSERT_LE(provider_->calls(), 1);
  const int calls_before = provider_->calls();
  // From then on the node knows: no provider is called for what it cannot record.
  for (const char* id : {"pg-down-2", "pg-down-3"}) {
    const auto refused =
        consumer.post("/exchange/v1/messages", envelope(id, kConsumer, kProvider, "echo"));
    EXPECT_EQ(refused.status, 503) << id;
    EXPECT_EQ(json::parse(refused.body)["code"], "Server.AuditUnavailable") << id;
    EXPECT_EQ(refused.header("retry-after"), "1") << id;
  }
  EXPECT_EQ(provider_->calls(), calls_before) << "a provider was called while the log was down";

  database_->set_reachable(true);
  const auto recovered = time_until([&] { return hub_->ready(); }, std::chrono::seconds(5));
  ASSERT_TRUE(recovered.has_value());
  EXPECT_GT(hub_->registry_version(), version_before);
  EXPECT_EQ(probe.request("GET", "/readyz", "", "").status, 200);
  const auto after =
      consumer.post("/exchange/v1/messages", envelope("pg-back-1", kConsumer, kProvider, "echo"));
  EXPECT_EQ(after.status, 200) << after.body;
}

// docs/architecture.md, "Limits across nodes": an agreement's rate limit is
// one budget for the whole hub, not one per node (before: each node had a
// bucket of its own, and two nodes admitted twice the rate).
TEST_F(LiveRegistry, RateLimitsHoldAcrossNodes) {
  database_->execute(
      "UPDATE agreements SET rate_limit_per_minute = 2 WHERE service_code = 'echo' AND "
      "consumer_system_id = (SELECT id FROM systems WHERE system_code = 'TEST-CONSUMER')");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  HubProcess other("limits-node", database_->url());
  int sent = 0;
  const auto statuses = [&](std::uint16_t port) {
    TestClient consumer(port, "TEST-CONSUMER");
    std::vector<int> got;
    for (int i = 0; i < 3; ++i) {
      got.push_back(consumer
                        .post("/exchange/v1/messages", envelope("limit-" + std::to_string(++sent),
                                                                kConsumer, kProvider, "echo"))
                        .status);
    }
    return got;
  };
  // Within one minute a bucket of two refills by a third of a call: not enough.
  EXPECT_EQ(statuses(hub_->exchange_port()), (std::vector<int>{200, 200, 429}));
  EXPECT_EQ(statuses(other.exchange_port()), (std::vector<int>{429, 429, 429}))
      << "the second node spent the same bucket";
}

}  // namespace
}  // namespace lienthong::testing

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lienthong/registry/snapshot_loader.hpp"

#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;
using Registry = HubFixture;

TEST_F(Registry, SnapshotIndexesSystemsServicesAndCertificates) {
  const auto snapshot = registry::load_snapshot(database_->url(), 7);
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error().detail;
  const auto& s = *snapshot.value();
  EXPECT_EQ(s.version(), 7u);
  EXPECT_EQ(s.system_count(), 4u);
  EXPECT_EQ(s.service_count(), 6u);
  const auto* echo = s.service(std::string(kProvider) + "/echo/v1");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->provider->key, kProvider);
  EXPECT_EQ(echo->provider_path, "/echo");
  EXPECT_EQ(echo->provider->endpoint->base_path, "/api");
  EXPECT_EQ(s.service(std::string(kProvider) + "/echo/v2"), nullptr);
  EXPECT_EQ(s.certificate(std::string(64, '0')).system, nullptr);
}

TEST_F(Registry, DisabledAndRevokedEntriesAreNotInTheSnapshot) {
  database_->execute("UPDATE systems SET status = 'disabled' WHERE system_code = 'TEST-DEAD'");
  database_->execute(
      "UPDATE credentials SET revoked_at = now() WHERE system_id = "
      "(SELECT id FROM systems WHERE system_code = 'TEST-OTHER')");
  const auto snapshot = registry::load_snapshot(database_->url(), 1);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot.value()->system(kDeadProvider), nullptr);
  EXPECT_EQ(snapshot.value()->service(std::string(kDeadProvider) + "/dead/v1"), nullptr);
  ASSERT_NE(snapshot.value()->system(kOther), nullptr) << "a system outlives its credentials";
  EXPECT_EQ(snapshot.value()->certificate(fingerprint_of("TEST-OTHER")).system, nullptr);
}

// The same, through the exchange: what is revoked or disabled is refused.
TEST_F(Registry, ARevokedCertificateADisabledSystemAndAFutureAgreementAreRefused) {
  // TEST-OTHER's agreement is made valid now, so only its certificate decides.
  database_->execute(
      "UPDATE agreements SET valid_from = now() - interval '1 hour', valid_until = NULL "
      "WHERE consumer_system_id = (SELECT id FROM systems WHERE system_code = 'TEST-OTHER')");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const auto other_call = [&](const std::string& id) {
    return client("TEST-OTHER")
        .post("/exchange/v1/messages", envelope(id, kOther, kProvider, "echo"));
  };
  ASSERT_EQ(other_call("registry-other-1").status, 200) << "precondition: the certificate works";

  database_->execute(
      "UPDATE credentials SET revoked_at = now() WHERE system_id = "
      "(SELECT id FROM systems WHERE system_code = 'TEST-OTHER')");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const auto revoked = other_call("registry-other-2");
  EXPECT_EQ(revoked.status, 401) << revoked.body;
  EXPECT_EQ(json::parse(revoked.body)["code"], "Client.Unauthenticated");

  // A disabled provider's service is unknown; a disabled consumer cannot authenticate.
  database_->execute("UPDATE systems SET status = 'disabled' WHERE system_code = 'TEST-DEAD'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const auto dead = client().post("/exchange/v1/messages",
                                  envelope("registry-dead", kConsumer, kDeadProvider, "dead"));
  EXPECT_EQ(dead.status, 404) << dead.body;
  EXPECT_EQ(json::parse(dead.body)["code"], "Client.UnknownService");

  ASSERT_EQ(client()
                .post("/exchange/v1/messages",
                      envelope("registry-consumer-1", kConsumer, kProvider, "echo"))
                .status,
            200)
      << "precondition: TEST-CONSUMER may call echo";
  database_->execute("UPDATE systems SET status = 'disabled' WHERE system_code = 'TEST-CONSUMER'");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const auto disabled = client().post(
      "/exchange/v1/messages", envelope("registry-consumer-2", kConsumer, kProvider, "echo"));
  EXPECT_EQ(disabled.status, 401) << disabled.body;
}

TEST_F(Registry, AnAgreementIsRefusedBeforeItsValidityBegins) {
  database_->execute(
      "UPDATE agreements SET valid_from = now() + interval '1 day', valid_until = NULL "
      "WHERE consumer_system_id = (SELECT id FROM systems WHERE system_code = 'TEST-OTHER')");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const auto early =
      client("TEST-OTHER")
          .post("/exchange/v1/messages", envelope("registry-early", kOther, kProvider, "echo"));
  EXPECT_EQ(early.status, 403) << early.body;
  EXPECT_EQ(json::parse(early.body)["code"], "Client.AgreementExpired");

  database_->execute(
      "UPDATE agreements SET valid_from = now() - interval '1 minute' "
      "WHERE consumer_system_id = (SELECT id FROM systems WHERE system_code = 'TEST-OTHER')");
  ASSERT_TRUE(hub_->reload_registry().has_value());
  const auto on_time =
      client("TEST-OTHER")
          .post("/exchange/v1/messages", envelope("registry-on-time", kOther, kProvider, "echo"));
  EXPECT_EQ(on_time.status, 200) << on_time.body;
}

TEST_F(Registry, ReloadMakesANewServiceCallable) {
  auto consumer = client();
  const auto before =
      consumer.post("/exchange/v1/messages", envelope("reload-1", kConsumer, kProvider, "echo2"));
  EXPECT_EQ(before.status, 404);
  database_->execute(
      "INSERT INTO services (system_id, service_code, version, name, provider_path) "
      "SELECT id, 'echo2', 'v1', 'Echo 2', '/echo' FROM systems WHERE system_code = "
      "'TEST-PROVIDER';"
      "INSERT INTO agreements (consumer_system_id, provider_system_id, service_code, purpose, "
      "legal_basis, status, requested_by, status_changed_by) SELECT c.id, p.id, 'echo2', 't', "
      "'t', 'approved', 't', 't' FROM systems c, systems p "
      "WHERE c.system_code = 'TEST-CONSUMER' AND p.system_code = 'TEST-PROVIDER'");
  const auto version = hub_->registry_version();
  ASSERT_TRUE(hub_->reload_registry().has_value());
  EXPECT_GT(hub_->registry_version(), version);  // the change listener may reload too
  const auto after =
      consumer.post("/exchange/v1/messages", envelope("reload-2", kConsumer, kProvider, "echo2"));
  EXPECT_EQ(after.status, 200) << after.body;
}

TEST_F(Registry, AFailedReloadKeepsServingTheLastSnapshot) {
  auto consumer = client();
  database_->execute("ALTER TABLE services RENAME TO services_away");
  EXPECT_FALSE(hub_->reload_registry().has_value());
  database_->execute("ALTER TABLE services_away RENAME TO services");
  const auto response =
      consumer.post("/exchange/v1/messages", envelope("stale-1", kConsumer, kProvider, "echo"));
  EXPECT_EQ(response.status, 200) << response.body;
}

TEST_F(Registry, AMalformedBaseUrlSkipsOnlyThatSystemsEndpoint) {
  database_->execute("UPDATE systems SET base_url = 'http://' WHERE system_code = 'TEST-DEAD'");
  std::vector<std::string> warnings;
  const auto snapshot = registry::load_snapshot(database_->url(), 1, &warnings);
  ASSERT_TRUE(snapshot.has_value());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings.front().find(kDeadProvider), std::string::npos);
  EXPECT_EQ(snapshot.value()->service(std::string(kProvider) + "/echo/v1")->provider->key,
            kProvider);
}

}  // namespace
}  // namespace lienthong::testing

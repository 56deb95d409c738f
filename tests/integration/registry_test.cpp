#include <gtest/gtest.h>

#include "lienthong/registry/snapshot_loader.hpp"

#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

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
  ASSERT_NE(snapshot.value()->system(kOther), nullptr);
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

// What an agreement allows, decided from the snapshot alone: path patterns,
// versions, validity windows and methods.
#include "lienthong/policy/agreement_check.hpp"

#include <gtest/gtest.h>

namespace lienthong::policy {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::hours;

TEST(PathPatterns, StarIsOneSegmentAndAFinalDoubleStarAnyRest) {
  EXPECT_TRUE(path_matches("/people/*", "/people/7"));
  EXPECT_FALSE(path_matches("/people/*", "/people"));
  EXPECT_FALSE(path_matches("/people/*", "/people/7/photo"));
  EXPECT_TRUE(path_matches("/people/**", "/people"));
  EXPECT_TRUE(path_matches("/people/**", "/people/7/photo/large"));
  EXPECT_FALSE(path_matches("/people/**", "/peoples/7"));
  EXPECT_TRUE(path_matches("/**", "/anything/at/all"));
  EXPECT_TRUE(path_matches("/*/photo", "/7/photo"));
  EXPECT_FALSE(path_matches("/*/photo", "/7/video"));
  // A '**' that is not last matches only itself.
  EXPECT_FALSE(path_matches("/a/**/c", "/a/b/c"));
  EXPECT_TRUE(path_matches("/", ""));
  EXPECT_TRUE(path_matches("", "/"));
  EXPECT_FALSE(path_matches("/", "/people"));
  EXPECT_TRUE(path_matches("/people", "/people"));
  EXPECT_FALSE(path_matches("/people", "/people/7"));
}

// A consumer and a provider's service "registry" in v1 and v2.
struct World {
  registry::SnapshotPtr snapshot;
  const registry::SystemEntry* consumer = nullptr;
  const registry::ServiceEntry* v1 = nullptr;
  const registry::ServiceEntry* v2 = nullptr;
};

World world(std::vector<registry::AgreementEntry> agreements) {
  registry::Snapshot::Contents contents;
  registry::SystemEntry provider;
  provider.id = 1;
  provider.system_id = {"VN", "GOV", "000.00.00.B01", "PROVIDER"};
  provider.key = provider.system_id.to_string();
  registry::SystemEntry consumer;
  consumer.id = 2;
  consumer.system_id = {"VN", "GOV", "000.00.00.C01", "CONSUMER"};
  consumer.key = consumer.system_id.to_string();
  contents.systems = {provider, consumer};
  for (const char* version : {"v1", "v2"}) {
    registry::ServiceEntry service;
    service.id = static_cast<std::int64_t>(contents.services.size()) + 1;
    service.service_id = {provider.system_id, "registry", version};
    service.key = service.service_id.to_string();
    service.provider_system_id = provider.id;
    contents.services.push_back(service);
  }
  std::int64_t id = 0;
  for (auto& agreement : agreements) {
    agreement.id = ++id;
    agreement.consumer_system_id = consumer.id;
    agreement.provider_system_id = provider.id;
    agreement.service_code = "registry";
  }
  contents.agreements = std::move(agreements);
  World w;
  w.snapshot = std::make_shared<const registry::Snapshot>(std::move(contents), 1);
  w.consumer = w.snapshot->system(consumer.key);
  w.v1 = w.snapshot->service(provider.key + "/registry/v1");
  w.v2 = w.snapshot->service(provider.key + "/registry/v2");
  return w;
}

const Clock::time_point kNow = Clock::time_point(hours(24 * 20'000));

ErrorCode refusal(const World& w, const registry::ServiceEntry& service, Clock::time_point at,
                  const std::optional<Operation>& operation = std::nullopt) {
  auto found =
      find_agreement(*w.snapshot, *w.consumer, service, service.service_id.version, at, operation);
  EXPECT_FALSE(found.has_value());
  return found.has_value() ? ErrorCode::kServerInternal : found.error().code;
}

TEST(FindAgreement, CoversOnlyTheListedVersionsOrAllWhenNoneAreListed) {
  registry::AgreementEntry only_v1;
  only_v1.versions = {"v1"};
  const auto listed = world({only_v1});
  EXPECT_TRUE(
      find_agreement(*listed.snapshot, *listed.consumer, *listed.v1, "v1", kNow).has_value());
  EXPECT_EQ(refusal(listed, *listed.v2, kNow), ErrorCode::kClientNoAgreement);

  const auto any = world({registry::AgreementEntry{}});
  EXPECT_TRUE(find_agreement(*any.snapshot, *any.consumer, *any.v2, "v2", kNow).has_value());
}

TEST(FindAgreement, HoldsFromItsFirstInstantUntilJustBeforeItsEnd) {
  registry::AgreementEntry window;
  window.valid_from = kNow;
  window.valid_until = kNow + hours(24);
  const auto w = world({window});
  EXPECT_EQ(refusal(w, *w.v1, kNow - std::chrono::seconds(1)), ErrorCode::kClientAgreementExpired);
  EXPECT_TRUE(find_agreement(*w.snapshot, *w.consumer, *w.v1, "v1", kNow).has_value());
  EXPECT_TRUE(find_agreement(*w.snapshot, *w.consumer, *w.v1, "v1",
                             kNow + hours(24) - std::chrono::seconds(1))
                  .has_value());
  EXPECT_EQ(refusal(w, *w.v1, kNow + hours(24)), ErrorCode::kClientAgreementExpired);
}

TEST(FindAgreement, AnyValidAgreementWinsOverExpiredOnes) {
  registry::AgreementEntry expired;
  expired.valid_until = kNow - hours(1);
  registry::AgreementEntry current;
  current.valid_from = kNow - hours(1);
  const auto w = world({expired, current});
  auto found = find_agreement(*w.snapshot, *w.consumer, *w.v1, "v1", kNow);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found.value()->id, 2);
}

TEST(FindAgreement, RestCallsNeedAnAllowedMethodAndPath) {
  registry::AgreementEntry reads;
  reads.allowed_methods = {"GET"};
  reads.path_patterns = {"/people/*", "/places/**"};
  const auto w = world({reads});
  EXPECT_TRUE(find_agreement(*w.snapshot, *w.consumer, *w.v1, "v1", kNow,
                             Operation{"GET", "/places/hue/old-town"})
                  .has_value());
  EXPECT_EQ(refusal(w, *w.v1, kNow, Operation{"POST", "/people/7"}),
            ErrorCode::kClientOperationNotAllowed);
  EXPECT_EQ(refusal(w, *w.v1, kNow, Operation{"GET", "/people"}),
            ErrorCode::kClientOperationNotAllowed);
  // An envelope call names no operation: the method and path rules do not apply.
  EXPECT_TRUE(find_agreement(*w.snapshot, *w.consumer, *w.v1, "v1", kNow).has_value());
}

}  // namespace
}  // namespace lienthong::policy

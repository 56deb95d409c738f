// The pipeline's stages on an in-memory registry snapshot: who is let in,
// which service a call reaches, what an agreement allows, and what of a
// provider's answer may pass. No TLS, no PostgreSQL.
#include "lienthong/pipeline/stages.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "lienthong/adapters/adapter_set.hpp"
#include "lienthong/audit/audit_sink.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/net/http_client.hpp"
#include "lienthong/schema/json_schema.hpp"

namespace lienthong::pipeline {
namespace {

using nlohmann::json;
using std::chrono::hours;

constexpr std::string_view kConsumerKey = "consumer-secret-key";

const Clock::time_point kNow = Clock::time_point(hours(24 * 20'000));

std::shared_ptr<const schema::JsonSchema> compiled(const json& document) {
  auto schema = schema::JsonSchema::compile(document);
  EXPECT_TRUE(schema.has_value());
  return schema.has_value() ? schema.value() : nullptr;
}

// One provider with a service in two versions (v1 validated, v2 not), one
// without an address, a consumer with an API key and an agreement for v1.
registry::SnapshotPtr world(registry::AgreementEntry agreement = {}) {
  registry::Snapshot::Contents contents;
  registry::SystemEntry provider;
  provider.id = 1;
  provider.system_id = {"VN", "GOV", "000.00.00.B01", "PROVIDER"};
  provider.key = provider.system_id.to_string();
  provider.endpoint = net::HttpEndpoint::parse("http://127.0.0.1:9").value();
  registry::SystemEntry silent = provider;
  silent.id = 2;
  silent.system_id.system_code = "SILENT";
  silent.key = silent.system_id.to_string();
  silent.endpoint.reset();
  registry::SystemEntry consumer;
  consumer.id = 3;
  consumer.system_id = {"VN", "GOV", "000.00.00.C01", "CONSUMER"};
  consumer.key = consumer.system_id.to_string();
  contents.systems = {provider, silent, consumer};

  for (const char* version : {"v1", "v2"}) {
    registry::ServiceEntry service;
    service.id = contents.services.size() + 1;
    service.service_id = {provider.system_id, "citizen", version};
    service.key = service.service_id.to_string();
    service.provider_system_id = provider.id;
    service.max_body_bytes = 100;
    if (std::string_view(version) == "v1") {
      service.request_schema = compiled({{"type", "object"},
                                         {"required", {"id"}},
                                         {"properties", {{"id", {{"type", "string"}}}}}});
      service.response_schema = compiled({{"type", "object"}, {"required", {"name"}}});
    }
    contents.services.push_back(service);
  }
  registry::ServiceEntry unreachable;
  unreachable.id = 9;
  unreachable.service_id = {silent.system_id, "quiet", "v1"};
  unreachable.key = unreachable.service_id.to_string();
  unreachable.provider_system_id = silent.id;
  contents.services.push_back(unreachable);

  contents.credentials.push_back({registry::CredentialEntry::Kind::kApiKey,
                                  sha256_hex(kConsumerKey), consumer.id, std::nullopt});
  agreement.id = 1;
  agreement.consumer_system_id = consumer.id;
  agreement.provider_system_id = provider.id;
  agreement.service_code = "citizen";
  if (agreement.versions.empty())
    agreement.versions = {"v1"};
  contents.agreements.push_back(agreement);
  return std::make_shared<const registry::Snapshot>(std::move(contents), 1);
}

const registry::SystemEntry& consumer_of(const registry::Snapshot& snapshot) {
  return *snapshot.system("VN/GOV/000.00.00.C01/CONSUMER");
}

const registry::ServiceEntry& citizen(const registry::Snapshot& snapshot,
                                      std::string_view version = "v1") {
  return *snapshot.service("VN/GOV/000.00.00.B01/PROVIDER/citizen/" + std::string(version));
}

// An envelope-style request for the citizen service, body {"id": "7"}.
struct EnvelopeCall {
  json body{{"id", "7"}};
  CallRequest request;
  EnvelopeCall(const registry::Snapshot& snapshot, std::string_view purpose) {
    request.caller = &consumer_of(snapshot);
    request.service = &citizen(snapshot);
    request.version = "v1";
    request.purpose = purpose;
    request.purpose_field = "header.purpose";
    request.body_bytes = 20;
    request.parsed_body = &body;
    request.body_pointer = "/body";
    request.at = kNow;
  }
};

TEST(IdentifyStage, NeedsALoadedRegistryAndAValidCredential) {
  net::HttpRequest request;
  auto unloaded = identify(nullptr, request);
  ASSERT_FALSE(unloaded.has_value());
  EXPECT_EQ(unloaded.error().code, ErrorCode::kServerRegistryUnavailable);

  const auto snapshot = world();
  request.headers.push_back({"Authorization", "ApiKey wrong-key"});
  auto wrong = identify(snapshot.get(), request);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, ErrorCode::kClientUnauthenticated);

  request.headers.back().value = "ApiKey " + std::string(kConsumerKey);
  auto known = identify(snapshot.get(), request);
  ASSERT_TRUE(known.has_value());
  EXPECT_EQ(known.value()->key, "VN/GOV/000.00.00.C01/CONSUMER");
}

TEST(IdentifyStage, HoldsOneSlotPerRequestUpToTheLimit) {
  const auto snapshot = world();
  policy::ConcurrencyLimiter limiter(1);
  auto first = hold_slot(limiter, consumer_of(*snapshot));
  ASSERT_TRUE(first.has_value());
  auto second = hold_slot(limiter, consumer_of(*snapshot));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kClientConcurrencyLimit);
  EXPECT_EQ(second.error().retry_after_seconds, 1);
  { auto released = std::move(first).value(); }
  EXPECT_TRUE(hold_slot(limiter, consumer_of(*snapshot)).has_value());
}

TEST(ResolveStage, FindsActiveServicesWithAnAddressOnly) {
  const auto snapshot = world();
  auto found = resolve_service(*snapshot, "VN/GOV/000.00.00.B01/PROVIDER/citizen/v1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found.value()->service_id.version, "v1");

  for (const char* key :
       {"VN/GOV/000.00.00.B01/PROVIDER/citizen/v3", "VN/GOV/000.00.00.B01/SILENT/quiet/v1"}) {
    auto missing = resolve_service(*snapshot, key);
    ASSERT_FALSE(missing.has_value()) << key;
    EXPECT_EQ(missing.error().code, ErrorCode::kClientUnknownService);
    EXPECT_EQ(missing.error().detail, "no active service " + std::string(key));
  }
}

TEST(ResolveStage, AsksForAVersionOnlyWhenSeveralAreActive) {
  const auto snapshot = world();
  const std::string citizen_service = "VN/GOV/000.00.00.B01/PROVIDER/citizen";
  auto ambiguous = resolve_service_version(*snapshot, citizen_service, "", "name one here");
  ASSERT_FALSE(ambiguous.has_value());
  EXPECT_EQ(ambiguous.error().detail,
            "several versions of " + citizen_service + " are active; name one here");

  auto named = resolve_service_version(*snapshot, citizen_service, "v2", "name one here");
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named.value()->service_id.version, "v2");

  auto only = resolve_service_version(*snapshot, "VN/GOV/000.00.00.B01/SILENT/quiet", "", "-");
  ASSERT_FALSE(only.has_value());  // one version, but its provider has no address
  EXPECT_EQ(only.error().code, ErrorCode::kClientUnknownService);
}

TEST(AuthorizeStage, AllowsAValidCallUnderItsStatedPurpose) {
  const auto snapshot = world();
  EnvelopeCall call(*snapshot, "case 12");
  auto allowed = authorize(*snapshot, call.request, 64);
  ASSERT_TRUE(allowed.has_value()) << allowed.error().detail;
  EXPECT_EQ(allowed.value().agreement->id, 1);
  EXPECT_EQ(allowed.value().purpose, "case 12");
}

TEST(AuthorizeStage, RefusesABodyOverTheServiceLimitBeforeAnythingElse) {
  const auto snapshot = world();
  EnvelopeCall call(*snapshot, "");  // would also lack a purpose
  call.request.body_bytes = 101;
  auto refused = authorize(*snapshot, call.request, 64);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kClientPayloadTooLarge);
}

TEST(AuthorizeStage, RefusesVersionsAndTimesTheAgreementDoesNotCover) {
  registry::AgreementEntry expired;
  expired.valid_until = kNow - hours(1);
  const auto ended = world(expired);
  EnvelopeCall late(*ended, "case 12");
  auto too_late = authorize(*ended, late.request, 64);
  ASSERT_FALSE(too_late.has_value());
  EXPECT_EQ(too_late.error().code, ErrorCode::kClientAgreementExpired);

  const auto snapshot = world();
  EnvelopeCall other_version(*snapshot, "case 12");
  other_version.request.service = &citizen(*snapshot, "v2");
  other_version.request.version = "v2";
  auto uncovered = authorize(*snapshot, other_version.request, 64);
  ASSERT_FALSE(uncovered.has_value());
  EXPECT_EQ(uncovered.error().code, ErrorCode::kClientNoAgreement);
}

TEST(AuthorizeStage, RequiresAPurposeUnlessTheProtocolMayUseTheAgreements) {
  registry::AgreementEntry with_purpose;
  with_purpose.purpose = "checking applicants";
  const auto snapshot = world(with_purpose);
  EnvelopeCall call(*snapshot, "");
  auto refused = authorize(*snapshot, call.request, 64);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kClientPurposeRequired);
  EXPECT_EQ(refused.error().detail, "state why the data is needed in header.purpose");

  call.request.may_use_agreement_purpose = true;
  auto allowed = authorize(*snapshot, call.request, 64);
  ASSERT_TRUE(allowed.has_value());
  EXPECT_EQ(allowed.value().purpose, "agreement: checking applicants");
}

TEST(AuthorizeStage, NamesEverySchemaViolationWhereTheCallerPutIt) {
  const auto snapshot = world();
  EnvelopeCall call(*snapshot, "case 12");
  call.body = json{{"id", 7}};
  auto refused = authorize(*snapshot, call.request, 64);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kClientSchemaViolation);
  ASSERT_EQ(refused.error().fields.size(), 1u);
  EXPECT_EQ(refused.error().fields[0].pointer, "/body/id");
}

TEST(AuthorizeStage, ParsesJsonTextOnlyWithinTheDepthLimit) {
  const auto snapshot = world();
  EnvelopeCall call(*snapshot, "case 12");
  call.request.parsed_body = nullptr;
  call.request.body_pointer = "";
  call.request.json_text = R"({"id": "7"})";
  EXPECT_TRUE(authorize(*snapshot, call.request, 64).has_value());

  call.request.json_text = R"({"id": [[["7"]]]})";
  auto deep = authorize(*snapshot, call.request, 2);
  ASSERT_FALSE(deep.has_value());
  ASSERT_EQ(deep.error().fields.size(), 1u);
  EXPECT_EQ(deep.error().fields[0].detail, "the body nests deeper than 2 levels");

  call.request.json_text = "";  // not JSON at all, for a service with a request schema
  auto absent = authorize(*snapshot, call.request, 64);
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().fields[0].detail, "the body is not JSON");
}

TEST(AuthorizeStage, HoldsRestCallsToTheAgreementsMethodsAndPaths) {
  registry::AgreementEntry rest;
  rest.allowed_methods = {"GET"};
  rest.path_patterns = {"/people/*"};
  const auto snapshot = world(rest);
  EnvelopeCall call(*snapshot, "case 12");
  call.request.operation = policy::Operation{"GET", "/people/7"};
  EXPECT_TRUE(authorize(*snapshot, call.request, 64).has_value());
  for (const auto& [method, path] : {std::pair{"DELETE", "/people/7"}, {"GET", "/people/7/x"}}) {
    call.request.operation = policy::Operation{method, path};
    auto refused = authorize(*snapshot, call.request, 64);
    ASSERT_FALSE(refused.has_value()) << method << " " << path;
    EXPECT_EQ(refused.error().code, ErrorCode::kClientOperationNotAllowed);
  }
}

// An audit sink that knows whether it could record, and records nothing.
class KnownAuditSink final : public audit::AuditSink {
 public:
  explicit KnownAuditSink(bool accepting) : accepting_(accepting) {}
  boost::asio::awaitable<Result<audit::RecordReceipt>> commit(audit::AuditRecord) override {
    co_return audit::RecordReceipt{};
  }
  bool accepting() const override { return accepting_; }

 private:
  bool accepting_;
};

TEST(CallStage, CallsNoProviderWhileTheAuditLogCannotRecord) {
  const auto snapshot = world();
  boost::asio::io_context context;
  adapters::AdapterSet adapters(
      std::make_unique<net::HttpClient>(context, nullptr, net::ClientOptions{}),
      std::make_shared<adapters::CircuitBreakers>(adapters::BreakerOptions{}),
      adapters::AdapterOptions{});
  const auto call = [&](const audit::AuditSink& audit, audit::AuditRecord& record) {
    net::HttpRequest request;
    request.method = "POST";
    request.target = "/citizen";
    std::optional<Result<net::HttpResponse>> answer;
    boost::asio::co_spawn(
        context,
        [&]() -> boost::asio::awaitable<void> {
          answer.emplace(co_await pipeline::call_provider(adapters, audit, citizen(*snapshot),
                                                          std::move(request), "", record));
        },
        boost::asio::detached);
    context.restart();
    context.run();
    return std::move(answer).value();
  };

  audit::AuditRecord refused_record;
  const auto refused = call(KnownAuditSink(false), refused_record);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kServerAuditUnavailable);
  EXPECT_EQ(refused.error().retry_after_seconds, 1);
  EXPECT_FALSE(refused_record.provider_called_at.has_value()) << "the provider was called";

  // With a log that records, the call goes out (and finds nobody on port 9).
  audit::AuditRecord called_record;
  const auto called = call(KnownAuditSink(true), called_record);
  ASSERT_FALSE(called.has_value());
  EXPECT_EQ(called.error().code, ErrorCode::kProviderUnreachable);
  EXPECT_TRUE(called_record.provider_called_at.has_value());
}

TEST(AnswerStage, NeverPassesOnServerErrorsOrWhatIsNotJson) {
  auto failed = check_answer(net::HttpResponse::with_body(502, R"({"name": "x"})"), 64);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kProviderError);

  auto garbage = check_answer(net::HttpResponse::with_body(200, "<html>"), 64);
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().code, ErrorCode::kProviderBadResponse);

  auto deep = check_answer(net::HttpResponse::with_body(200, std::string(100, '[')), 64);
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().detail, "the provider's answer nests deeper than 64 levels");

  auto refusal = check_answer(net::HttpResponse::with_body(404, R"({"error": "no"})"), 64);
  ASSERT_TRUE(refusal.has_value());  // a provider's 4xx is its answer
  EXPECT_EQ(refusal.value()["error"], "no");
}

TEST(ShapeStage, HoldsSuccessToTheSchemaAndTheAgreementsFields) {
  registry::AgreementEntry minimal;
  minimal.response_fields = {"/name"};
  const auto snapshot = world(minimal);
  const auto& agreement = snapshot->agreements().front();

  auto shaped =
      shape_answer(200, citizen(*snapshot), agreement, json{{"name", "An"}, {"address", "Hue"}});
  ASSERT_TRUE(shaped.has_value());
  EXPECT_EQ(shaped.value(), (json{{"name", "An"}}));

  auto invalid = shape_answer(200, citizen(*snapshot), agreement, json{{"address", "Hue"}});
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().code, ErrorCode::kProviderSchemaViolation);

  // A refusal is not data: it passes as the provider wrote it.
  auto refusal = shape_answer(404, citizen(*snapshot), agreement, json{{"error", "none"}});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal.value(), (json{{"error", "none"}}));
}

TEST(KeepBodiesStage, KeepsWhatTheServiceAsksFor) {
  audit::AuditRecord none;
  keep_bodies(none, registry::AuditBodies::kNone, "in", "out");
  EXPECT_TRUE(none.request_sha256.empty());
  EXPECT_FALSE(none.request_body.has_value());

  audit::AuditRecord hashed;
  keep_bodies(hashed, registry::AuditBodies::kHash, "in", "out");
  EXPECT_EQ(hashed.request_sha256, sha256_hex("in"));
  EXPECT_EQ(hashed.response_sha256, sha256_hex("out"));
  EXPECT_FALSE(hashed.response_body.has_value());

  audit::AuditRecord full;
  keep_bodies(full, registry::AuditBodies::kFull, "in", "out");
  EXPECT_EQ(full.request_sha256, sha256_hex("in"));
  EXPECT_EQ(full.request_body, "in");
  EXPECT_EQ(full.response_body, "out");
}

}  // namespace
}  // namespace lienthong::pipeline

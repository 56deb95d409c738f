// Who is calling: an API key when one is sent, otherwise the verified client
// certificate, and never a fall-back from a bad key to the certificate.
#include "lienthong/policy/authenticator.hpp"

#include <gtest/gtest.h>

#include "lienthong/core/digest.hpp"

namespace lienthong::policy {
namespace {

using Clock = std::chrono::system_clock;

const std::string kCertificate(64, 'c');
constexpr std::string_view kKey = "ltk_key-of-system-b";

registry::SnapshotPtr snapshot(std::optional<Clock::time_point> key_expires = std::nullopt) {
  registry::Snapshot::Contents contents;
  for (const char* code : {"SYSTEM-A", "SYSTEM-B"}) {
    registry::SystemEntry system;
    system.id = static_cast<std::int64_t>(contents.systems.size()) + 1;
    system.system_id = {"VN", "GOV", "000.00.00.A01", code};
    system.key = system.system_id.to_string();
    contents.systems.push_back(system);
  }
  contents.credentials.push_back(
      {registry::CredentialEntry::Kind::kCertificate, kCertificate, 1, std::nullopt});
  contents.credentials.push_back(
      {registry::CredentialEntry::Kind::kApiKey, sha256_hex(kKey), 2, key_expires});
  return std::make_shared<const registry::Snapshot>(std::move(contents), 1);
}

net::HttpRequest request(std::string certificate, std::string authorization = "") {
  net::HttpRequest request;
  request.peer.certificate_sha256 = std::move(certificate);
  request.received_at = Clock::now();
  if (!authorization.empty())
    request.headers.push_back({"Authorization", std::move(authorization)});
  return request;
}

std::string caller(const Result<const registry::SystemEntry*>& who) {
  return who.has_value() ? who.value()->system_id.system_code : who.error().detail;
}

TEST(Authenticator, TheCertificateIdentifiesItsSystem) {
  EXPECT_EQ(caller(authenticate(*snapshot(), request(kCertificate))), "SYSTEM-A");
  const auto registry = snapshot();
  auto unknown = authenticate(*registry, request(std::string(64, 'd')));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kClientUnauthenticated);
  EXPECT_FALSE(authenticate(*snapshot(), request("")).has_value()) << "no credential at all";
}

TEST(Authenticator, AnApiKeyWinsOverTheCertificateOnTheSameRequest) {
  const auto registry = snapshot();  // the answers point into it
  const auto both = authenticate(*registry, request(kCertificate, "ApiKey " + std::string(kKey)));
  EXPECT_EQ(caller(both), "SYSTEM-B");
  const auto scheme_case = authenticate(*registry, request("", "apikey " + std::string(kKey)));
  EXPECT_EQ(caller(scheme_case), "SYSTEM-B") << "the scheme is case-insensitive";
}

TEST(Authenticator, AWrongKeyIsRefusedEvenWithAValidCertificate) {
  const auto registry = snapshot();
  const auto wrong = authenticate(*registry, request(kCertificate, "ApiKey ltk_not-this-one"));
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, ErrorCode::kClientUnauthenticated);
}

TEST(Authenticator, AnExpiredKeyIsRefusedAtTheRequestsTime) {
  const auto expiry = Clock::now();
  auto late = request("", "ApiKey " + std::string(kKey));
  late.received_at = expiry;
  const auto registry = snapshot(expiry);
  const auto refused = authenticate(*registry, late);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().detail.find("expired"), std::string::npos);
  late.received_at = expiry - std::chrono::seconds(1);
  EXPECT_EQ(caller(authenticate(*registry, late)), "SYSTEM-B");
}

TEST(Authenticator, OtherAuthorizationSchemesFallBackToTheCertificate) {
  // A Bearer token means nothing on the exchange listener; the connection's
  // certificate still identifies the caller.
  EXPECT_EQ(caller(authenticate(*snapshot(), request(kCertificate, "Bearer abc"))), "SYSTEM-A");
}

}  // namespace
}  // namespace lienthong::policy

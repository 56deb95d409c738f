// What a forwarding hub vouches for, on its own: accepted as signed, and
// refused, with its reason, when the key, the body, the route or the time
// is not what the receiving hub can accept.
#include "lienthong/federation/assertion_token.hpp"

#include <filesystem>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/federation/catalogue_token.hpp"

namespace lienthong::federation {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
constexpr std::string_view kBody = R"({"header":{"id":"m-1"},"body":{"idNumber":"001089012345"}})";

class AssertionTokenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = fs::temp_directory_path() / ("lt-assertion-unit-" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    hanoi_ = new audit::SigningKey(audit::SigningKey::load_or_create(directory_ / "hn.key"));
    other_ = new audit::SigningKey(audit::SigningKey::load_or_create(directory_ / "other.key"));
  }
  static void TearDownTestSuite() {
    delete hanoi_;
    delete other_;
    fs::remove_all(directory_);
  }

  static AssertionClaims claims() {
    AssertionClaims c;
    c.issuer = "VN-HN";
    c.audience = "VN";
    c.token_id = "0190f3a2-0000-7000-8000-000000000001";
    c.issued_at = kNow - 2s;
    c.expires_at = kNow + 58s;
    c.consumer = "VN-HN/GOV/000.00.01.H26/DVC-HN";
    c.service = "VN/GOV/000.00.00.G12/DANCU/citizen-lookup/v1";
    c.purpose = "cấp phiếu lý lịch tư pháp";
    c.user_id = "cb-0042";
    c.message_id = "m-1";
    c.body_sha256 = sha256_hex(kBody);
    c.hops = {"VN-HN"};
    return c;
  }
  static AssertionExpectation expected() {
    AssertionExpectation e;
    e.issuer = "VN-HN";
    e.audience = "VN";
    e.public_key_pem = hanoi_->public_key_pem();
    e.now = kNow;
    e.body = kBody;
    return e;
  }
  static std::string refusal(const AssertionClaims& c, const AssertionExpectation& e = expected(),
                             const audit::SigningKey* key = nullptr) {
    const auto check = verify_assertion(sign_assertion(c, key ? *key : *hanoi_), e);
    EXPECT_FALSE(check.claims.has_value()) << "accepted";
    return check.refusal;
  }

  static inline fs::path directory_;
  static inline audit::SigningKey* hanoi_ = nullptr;
  static inline audit::SigningKey* other_ = nullptr;
};

TEST_F(AssertionTokenTest, WhatTheForwardingHubVouchesForIsReadBack) {
  const auto check = verify_assertion(sign_assertion(claims(), *hanoi_), expected());
  ASSERT_TRUE(check.claims.has_value()) << check.refusal;
  EXPECT_EQ(check.claims->consumer, "VN-HN/GOV/000.00.01.H26/DVC-HN");
  EXPECT_EQ(check.claims->service, "VN/GOV/000.00.00.G12/DANCU/citizen-lookup/v1");
  EXPECT_EQ(check.claims->purpose, "cấp phiếu lý lịch tư pháp");
  EXPECT_EQ(check.claims->user_id, "cb-0042");
  EXPECT_EQ(check.claims->message_id, "m-1");
  EXPECT_EQ(check.claims->token_id, claims().token_id);
  EXPECT_EQ(check.claims->hops, std::vector<std::string>{"VN-HN"});
}

TEST_F(AssertionTokenTest, AnXRoadRestAssertionNamesItsOperation) {
  EXPECT_EQ(verify_assertion(sign_assertion(claims(), *hanoi_), expected()).claims->operation, "")
      << "an envelope's names none";
  auto c = claims();
  c.operation = "DELETE /cases/7?reason=duplicate";
  const auto check = verify_assertion(sign_assertion(c, *hanoi_), expected());
  ASSERT_TRUE(check.claims.has_value()) << check.refusal;
  EXPECT_EQ(check.claims->operation, "DELETE /cases/7?reason=duplicate");
}

TEST_F(AssertionTokenTest, AnotherKeyOrAnotherBodyIsRefused) {
  EXPECT_NE(refusal(claims(), expected(), other_).find("not by the peer's registered key"),
            std::string::npos);
  auto e = expected();
  const std::string changed = R"({"header":{"id":"m-1"},"body":{"idNumber":"001089099999"}})";
  e.body = changed;
  EXPECT_NE(refusal(claims(), e).find("not the one the peer vouched for"), std::string::npos);
}

TEST_F(AssertionTokenTest, APeerVouchesOnlyForSystemsOfTheInstanceTheRequestStartedFrom) {
  auto c = claims();
  c.consumer = "VN-HCM/GOV/000.00.01.H29/DVC-HCM";
  EXPECT_NE(refusal(c).find("is not a system of VN-HN"), std::string::npos);
  c.consumer = "not an identifier";
  EXPECT_NE(refusal(c).find("is not a system of"), std::string::npos);
}

TEST_F(AssertionTokenTest, LoopsAndLongRoutesAreRefused) {
  auto through_us = claims();
  through_us.hops = {"VN", "VN-HN"};
  EXPECT_NE(refusal(through_us).find("a loop"), std::string::npos);
  auto twice = claims();
  twice.hops = {"VN-HN", "VN-DN", "VN-HN"};
  EXPECT_NE(refusal(twice).find("a loop"), std::string::npos);
  auto not_last = claims();
  not_last.hops = {"VN-HN", "VN-DN"};
  EXPECT_NE(refusal(not_last).find("not the peer VN-HN"), std::string::npos);
  auto empty = claims();
  empty.hops = {};
  EXPECT_NE(refusal(empty).find("hops"), std::string::npos);
  auto long_route = claims();
  long_route.hops = {"VN-A", "VN-B", "VN-C", "VN-D", "VN-HN"};
  long_route.consumer = "VN-A/GOV/000.00.01.H01/SYS";
  EXPECT_NE(refusal(long_route).find("more than the 4 allowed"), std::string::npos);
}

// A hub passing on another hub's exchange (transit) links to the assertion
// it received; without that link the chain of who vouched is broken.
TEST_F(AssertionTokenTest, ATransitAssertionNamesTheOneBeforeIt) {
  auto transit = claims();
  transit.consumer = "VN-HCM/GOV/000.00.00.H29/CT-HCM";
  transit.hops = {"VN-HCM", "VN-HN"};
  EXPECT_NE(refusal(transit).find("previous_sha256"), std::string::npos);
  transit.previous_sha256 = "not a digest";
  EXPECT_NE(refusal(transit).find("not a SHA-256"), std::string::npos);
  transit.previous_sha256 = sha256_hex("the assertion VN-HCM signed");
  const auto check = verify_assertion(sign_assertion(transit, *hanoi_), expected());
  ASSERT_TRUE(check.claims.has_value()) << check.refusal;
  EXPECT_EQ(check.claims->previous_sha256, transit.previous_sha256);
  EXPECT_EQ(check.claims->hops, (std::vector<std::string>{"VN-HCM", "VN-HN"}));
}

TEST_F(AssertionTokenTest, TimeBoundsAndAudienceAreHeld) {
  auto old = claims();
  old.issued_at = kNow - 120s;
  old.expires_at = kNow - 60s;
  EXPECT_NE(refusal(old).find("expired 60 s ago"), std::string::npos);
  auto long_lived = claims();
  long_lived.expires_at = kNow + 3600s;
  EXPECT_NE(refusal(long_lived).find("valid for"), std::string::npos);
  auto elsewhere = claims();
  elsewhere.audience = "VN-DN";
  EXPECT_NE(refusal(elsewhere).find("issued for VN-DN"), std::string::npos);
}

TEST_F(AssertionTokenTest, ACatalogueIsNotAnAssertion) {
  // Same key, same JWS shape, another type: never taken for one another.
  CatalogueClaims catalogue;
  catalogue.issuer = "VN-HN";
  catalogue.audience = "VN";
  catalogue.issued_at = kNow;
  catalogue.expires_at = kNow + 60s;
  const auto check = verify_assertion(sign_catalogue(catalogue, *hanoi_), expected());
  EXPECT_FALSE(check.claims.has_value());
  EXPECT_NE(check.refusal.find("not a lienthong-assertion+jwt"), std::string::npos)
      << check.refusal;
}

}  // namespace
}  // namespace lienthong::federation

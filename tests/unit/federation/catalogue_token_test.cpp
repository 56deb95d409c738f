// A peer hub's catalogue token on its own: what verify_catalogue accepts,
// and every way a token can be wrong — each refused with its reason.
#include "lienthong/federation/catalogue_token.hpp"

#include <filesystem>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"

namespace lienthong::federation {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

class CatalogueTokenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = fs::temp_directory_path() / ("lt-catalogue-unit-" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    national_ = new audit::SigningKey(audit::SigningKey::load_or_create(directory_ / "vn.key"));
    other_ = new audit::SigningKey(audit::SigningKey::load_or_create(directory_ / "other.key"));
  }
  static void TearDownTestSuite() {
    delete national_;
    delete other_;
    fs::remove_all(directory_);
  }

  static CatalogueClaims claims() {
    CatalogueClaims c;
    c.issuer = "VN";
    c.audience = "VN-HN";
    c.version = 7;
    c.issued_at = kNow - 30s;
    c.expires_at = kNow + 570s;
    c.services =
        json::array({{{"id", "VN/GOV/000.00.00.G01/DANCU/citizen-lookup"}, {"version", "v1"}}});
    return c;
  }
  static CatalogueExpectation expected() {
    CatalogueExpectation e;
    e.issuer = "VN";
    e.audience = "VN-HN";
    e.public_key_pem = national_->public_key_pem();
    e.now = kNow;
    return e;
  }
  static std::string refusal(const std::string& token, const CatalogueExpectation& e = expected()) {
    const auto check = verify_catalogue(token, e);
    EXPECT_FALSE(check.claims.has_value()) << "accepted";
    EXPECT_FALSE(check.refusal.empty());
    return check.refusal;
  }
  // Token parts, for changing one and keeping the others.
  static std::vector<std::string> parts(const std::string& token) {
    const auto first = token.find('.');
    const auto second = token.find('.', first + 1);
    return {token.substr(0, first), token.substr(first + 1, second - first - 1),
            token.substr(second + 1)};
  }
  static std::string url_part(const std::string& bytes) {
    std::string text = base64_encode(bytes);
    while (!text.empty() && text.back() == '=')
      text.pop_back();
    for (char& c : text)
      c = c == '+' ? '-' : c == '/' ? '_' : c;
    return text;
  }

  static json decoded(std::string part) {
    for (char& c : part)
      c = c == '-' ? '+' : c == '_' ? '/' : c;
    part.append((4 - part.size() % 4) % 4, '=');
    return json::parse(base64_decode(part).value());
  }

  static inline fs::path directory_;
  static inline audit::SigningKey* national_ = nullptr;
  static inline audit::SigningKey* other_ = nullptr;
};

TEST_F(CatalogueTokenTest, ASignedCatalogueIsReadBackWithItsClaims) {
  const auto token = sign_catalogue(claims(), *national_);
  const auto check = verify_catalogue(token, expected());
  ASSERT_TRUE(check.claims.has_value()) << check.refusal;
  EXPECT_EQ(check.claims->issuer, "VN");
  EXPECT_EQ(check.claims->audience, "VN-HN");
  EXPECT_EQ(check.claims->version, 7);
  EXPECT_EQ(check.claims->issued_at, kNow - 30s);
  EXPECT_EQ(check.claims->expires_at, kNow + 570s);
  EXPECT_EQ(check.claims->services, claims().services);
  // A JWS any tool reads: base64url header naming EdDSA, the key and the type.
  const auto header = decoded(parts(token)[0]);
  EXPECT_EQ(header["alg"], "EdDSA");
  EXPECT_EQ(header["kid"], national_->key_id());
  EXPECT_EQ(header["typ"], "lienthong-catalogue+jwt");
}

TEST_F(CatalogueTokenTest, ACatalogueSignedByAnotherKeyIsRefused) {
  const auto refused = refusal(sign_catalogue(claims(), *other_));
  EXPECT_NE(refused.find("not by the peer's registered key"), std::string::npos) << refused;

  // The same, with the header claiming the registered key: the signature fails.
  auto p = parts(sign_catalogue(claims(), *other_));
  p[0] = parts(sign_catalogue(claims(), *national_))[0];
  const auto forged = p[0] + "." + p[1] + "." + p[2];
  EXPECT_NE(refusal(forged).find("signature does not match"), std::string::npos);
}

TEST_F(CatalogueTokenTest, AChangedClaimBreaksTheSignature) {
  auto p = parts(sign_catalogue(claims(), *national_));
  auto payload = decoded(p[1]);
  payload["services"].push_back({{"id", "VN/GOV/000.00.00.G02/BHXH/insurance"}});
  const auto changed = p[0] + "." + url_part(payload.dump()) + "." + p[2];
  EXPECT_NE(refusal(changed).find("signature does not match"), std::string::npos);
}

TEST_F(CatalogueTokenTest, OtherAlgorithmsAndUnsignedTokensAreRefused) {
  auto p = parts(sign_catalogue(claims(), *national_));
  for (const char* alg : {"none", "HS256", "RS256", "ES256", "eddsa"}) {
    const json header{{"alg", alg}, {"kid", national_->key_id()}, {"typ", kCatalogueTokenType}};
    const auto token = url_part(header.dump()) + "." + p[1] + "." + p[2];
    EXPECT_NE(refusal(token).find("EdDSA"), std::string::npos) << alg;
  }
  // "alg":"none" with an empty signature, as RFC 7519 allows elsewhere.
  const json none{{"alg", "none"}, {"typ", kCatalogueTokenType}};
  EXPECT_FALSE(verify_catalogue(url_part(none.dump()) + "." + p[1] + ".", expected()).claims);
}

TEST_F(CatalogueTokenTest, ATokenOfAnotherTypeIsRefused) {
  auto p = parts(sign_catalogue(claims(), *national_));
  const json header{{"alg", "EdDSA"}, {"kid", national_->key_id()}, {"typ", "JWT"}};
  EXPECT_NE(refusal(url_part(header.dump()) + "." + p[1] + "." + p[2]).find("not a catalogue"),
            std::string::npos);
}

TEST_F(CatalogueTokenTest, IssuerAndAudienceMustBeThePeerAndThisHub) {
  auto other_issuer = claims();
  other_issuer.issuer = "VN-HCM";
  EXPECT_NE(refusal(sign_catalogue(other_issuer, *national_)).find("issued by VN-HCM"),
            std::string::npos);
  auto other_audience = claims();
  other_audience.audience = "VN-DN";
  EXPECT_NE(refusal(sign_catalogue(other_audience, *national_)).find("issued for VN-DN"),
            std::string::npos);
}

TEST_F(CatalogueTokenTest, TimeBoundsAreHeld) {
  auto expired = claims();
  expired.issued_at = kNow - 700s;
  expired.expires_at = kNow - 100s;
  EXPECT_NE(refusal(sign_catalogue(expired, *national_)).find("expired 100 s ago"),
            std::string::npos);

  auto at_expiry = claims();
  at_expiry.expires_at = kNow;
  EXPECT_NE(refusal(sign_catalogue(at_expiry, *national_)).find("expired"), std::string::npos);

  auto future = claims();
  future.issued_at = kNow + 301s;
  future.expires_at = kNow + 901s;
  EXPECT_NE(refusal(sign_catalogue(future, *national_)).find("in the future"), std::string::npos);
  future.issued_at = kNow + 300s;  // at the bound: a clock off by five minutes is tolerated
  EXPECT_TRUE(verify_catalogue(sign_catalogue(future, *national_), expected()).claims);

  auto forever = claims();
  forever.expires_at = kNow + std::chrono::hours(24 * 365);
  EXPECT_NE(refusal(sign_catalogue(forever, *national_)).find("valid for"), std::string::npos);
}

TEST_F(CatalogueTokenTest, AnOlderVersionThanTheOneHeldIsAReplay) {
  auto e = expected();
  e.held_version = 8;
  EXPECT_NE(refusal(sign_catalogue(claims(), *national_), e).find("a replay"), std::string::npos);
  e.held_version = 7;  // the same catalogue again is not a replay: peers pull it every minute
  EXPECT_TRUE(verify_catalogue(sign_catalogue(claims(), *national_), e).claims);
}

TEST_F(CatalogueTokenTest, MalformedTokensAreRefusedWithoutThrowing) {
  const auto good = sign_catalogue(claims(), *national_);
  const auto p = parts(good);
  for (const std::string& token :
       {std::string(), std::string("."), std::string(".."), std::string("a.b"), good + ".x",
        p[0] + "." + p[1], p[0] + ".." + p[2], "!" + good, p[0] + "." + p[1] + "." + p[2] + "=",
        url_part("[1]") + "." + p[1] + "." + p[2],
        url_part("{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\"}") + "." + p[1] + "." + p[2],
        url_part(std::string(10, '[')) + "." + p[1] + "." + p[2]})
    refusal(token);
  auto e = expected();
  e.public_key_pem = "not a key";
  EXPECT_NE(refusal(good, e).find("cannot be read"), std::string::npos);
}

}  // namespace
}  // namespace lienthong::federation

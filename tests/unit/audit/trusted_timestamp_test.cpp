// RFC 3161 timestamps: our requests answered by our demo authority, replies
// and kept tokens checked against the authority's pinned CA, and the same
// token checked by `openssl ts -verify`, as a third party would.
#include "lienthong/audit/trusted_timestamp.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "lienthong/audit/timestamp_authority.hpp"
#include "lienthong/core/digest.hpp"

namespace lienthong::audit {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPolicy =
    "2.25.243992339543256560495088202782305522059";  // a UUID OID (X.667)

struct Keyed {
  EVP_PKEY* key = nullptr;
  X509* certificate = nullptr;
  ~Keyed() {
    EVP_PKEY_free(key);
    X509_free(certificate);
  }
};

void extend(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
  ASSERT_NE(extension, nullptr) << value;
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

// A P-256 certificate for `name`, signed by `issuer` (itself when null),
// valid from `valid_from` to `valid_until` seconds from now.
void issue(Keyed& out, const char* name, const Keyed* issuer, bool authority, bool timestamping,
           long valid_from = -3600, long valid_until = 86400) {
  out.key = EVP_EC_gen("P-256");
  ASSERT_NE(out.key, nullptr);
  X509* x = out.certificate = X509_new();
  X509_set_version(x, 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), valid_from);
  X509_gmtime_adj(X509_getm_notAfter(x), valid_until);
  X509_set_pubkey(x, out.key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name), -1, -1, 0);
  X509* signer = issuer ? issuer->certificate : x;
  X509_set_issuer_name(x, X509_get_subject_name(signer));
  extend(x, signer, NID_basic_constraints, authority ? "critical,CA:TRUE" : "critical,CA:FALSE");
  extend(x, signer, NID_key_usage,
         authority ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation");
  if (timestamping)
    extend(x, signer, NID_ext_key_usage, "critical,timeStamping");
  ASSERT_GT(X509_sign(x, issuer ? issuer->key : out.key, EVP_sha256()), 0);
}

std::string pem_of(X509* certificate) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, certificate);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return pem;
}

std::string pem_of(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return pem;
}

// A CA and the timestamping certificate it issued.
struct Authority {
  Keyed ca, tsa;
  void make(const char* ca_name, const char* tsa_name, bool timestamping = true) {
    issue(ca, ca_name, nullptr, true, false);
    issue(tsa, tsa_name, &ca, false, timestamping);
  }
  Result<TimestampAuthority> responder() const {
    return TimestampAuthority::from_pem(pem_of(tsa.certificate), pem_of(tsa.key), kPolicy);
  }
  TsaTrust trust() const { return TsaTrust::from_pem(pem_of(ca.certificate)).value(); }
};

std::string digest_of(std::string_view text) {
  return from_hex(sha256_hex(text)).value();
}

class TrustedTimestampTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(national_.make("Test Root CA", "Test TSA"));
    auto responder = national_.responder();
    ASSERT_TRUE(responder.has_value()) << responder.error().detail;
    responder_.emplace(std::move(responder).value());
  }
  // A token over `digest` from the test authority, accepted.
  TimestampToken stamp(const std::string& digest) {
    const auto request = make_timestamp_request(digest).value();
    const auto reply = responder_->reply(request.der).value();
    auto token = accept_timestamp_reply(reply, request, national_.trust());
    EXPECT_TRUE(token.has_value()) << token.error().detail;
    return token.has_value() ? token.value() : TimestampToken{};
  }

  Authority national_;
  std::optional<TimestampAuthority> responder_;
};

TEST_F(TrustedTimestampTest, AReplyIsATokenThatVerifiesAgainstThePinnedCa) {
  const std::string digest = digest_of("checkpoint 42");
  const auto before = std::chrono::system_clock::now();
  const TimestampToken token = stamp(digest);
  ASSERT_FALSE(token.der.empty());
  EXPECT_GE(token.generated_at, std::chrono::time_point_cast<std::chrono::seconds>(before) - 1s);
  EXPECT_LE(token.generated_at, std::chrono::system_clock::now() + 1s);
  EXPECT_NE(token.tsa_subject.find("CN=Test TSA"), std::string::npos) << token.tsa_subject;
  EXPECT_FALSE(token.serial_hex.empty());

  const auto kept = verify_timestamp_token(token.der, digest, national_.trust());
  ASSERT_TRUE(kept.has_value()) << kept.error().detail;
  EXPECT_EQ(kept.value().generated_at, token.generated_at);
  EXPECT_EQ(kept.value().serial_hex, token.serial_hex);
}

// A token outlives its authority's certificate: it is checked at the time
// it says, so one signed while the certificate was valid still verifies
// (a court may look years later), and one dated after it expired does not.
TEST_F(TrustedTimestampTest, ATokenIsCheckedAtItsOwnTimeAfterTheCertificateExpired) {
  Authority expired;
  ASSERT_NO_FATAL_FAILURE(issue(expired.ca, "Old Root CA", nullptr, true, false, -5 * 3600));
  ASSERT_NO_FATAL_FAILURE(issue(expired.tsa, "Old TSA", &expired.ca, false, true,
                                /*valid_from=*/-3 * 3600, /*valid_until=*/-3600));
  const auto pem = [](auto* item) { return pem_of(item); };
  const std::string digest = digest_of("checkpoint of last year");
  const auto request = make_timestamp_request(digest).value();
  const auto stamp_at = [&](std::chrono::system_clock::time_point when) {
    return TimestampAuthority::from_pem(pem(expired.tsa.certificate), pem(expired.tsa.key), kPolicy,
                                        [when] { return when; })
        .value()
        .reply(request.der)
        .value();
  };
  const auto token_of = [](const std::string& reply) {
    // The token inside the reply (the reply's status is checked elsewhere).
    const auto* in = reinterpret_cast<const unsigned char*>(reply.data());
    TS_RESP* response = d2i_TS_RESP(nullptr, &in, static_cast<long>(reply.size()));
    unsigned char* out = nullptr;
    const int length = i2d_PKCS7(TS_RESP_get_token(response), &out);
    std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(length));
    OPENSSL_free(out);
    TS_RESP_free(response);
    return der;
  };
  const auto now = std::chrono::system_clock::now();
  const auto then = verify_timestamp_token(token_of(stamp_at(now - 2h)), digest, expired.trust());
  ASSERT_TRUE(then.has_value()) << then.error().detail;
  EXPECT_LT(then.value().generated_at, now - 1h);
  EXPECT_FALSE(verify_timestamp_token(token_of(stamp_at(now)), digest, expired.trust()).has_value())
      << "signed after the certificate expired";
}

TEST_F(TrustedTimestampTest, ATokenIsNotEvidenceForAnotherDigest) {
  const TimestampToken token = stamp(digest_of("checkpoint 42"));
  const auto other =
      verify_timestamp_token(token.der, digest_of("checkpoint 43"), national_.trust());
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code, ErrorCode::kClientBadRequest);
}

TEST_F(TrustedTimestampTest, AnAuthorityThatIsNotPinnedIsRefused) {
  Authority other;
  ASSERT_NO_FATAL_FAILURE(other.make("Other Root CA", "Other TSA"));
  const std::string digest = digest_of("checkpoint 42");
  const auto request = make_timestamp_request(digest).value();
  const auto reply = other.responder().value().reply(request.der).value();
  const auto accepted = accept_timestamp_reply(reply, request, national_.trust());
  ASSERT_FALSE(accepted.has_value());
  EXPECT_EQ(accepted.error().code, ErrorCode::kProviderBadResponse);
  // ...and a token it issued proves nothing to us later either.
  const auto token = accept_timestamp_reply(reply, request, other.trust()).value();
  EXPECT_FALSE(verify_timestamp_token(token.der, digest, national_.trust()).has_value());
}

TEST_F(TrustedTimestampTest, AReplyToAnotherRequestIsRefused) {
  // Same digest, another nonce: a replayed or mixed-up reply.
  const std::string digest = digest_of("checkpoint 42");
  const auto first = make_timestamp_request(digest).value();
  const auto second = make_timestamp_request(digest).value();
  ASSERT_NE(first.der, second.der) << "each request has its own nonce";
  const auto reply = responder_->reply(second.der).value();
  const auto accepted = accept_timestamp_reply(reply, first, national_.trust());
  ASSERT_FALSE(accepted.has_value());
  EXPECT_NE(accepted.error().detail.find("nonce"), std::string::npos) << accepted.error().detail;
}

TEST_F(TrustedTimestampTest, EveryChangedByteOfATokenIsDetected) {
  const std::string digest = digest_of("checkpoint 42");
  const TimestampToken token = stamp(digest);
  const TsaTrust trust = national_.trust();
  int changed = 0;
  for (std::size_t at = 0; at < token.der.size(); ++at, ++changed) {
    std::string tampered = token.der;
    tampered[at] = static_cast<char>(tampered[at] ^ 0x01);
    EXPECT_FALSE(verify_timestamp_token(tampered, digest, trust).has_value()) << "byte " << at;
  }
  EXPECT_GT(changed, 500);
  EXPECT_FALSE(
      verify_timestamp_token(token.der.substr(0, token.der.size() - 1), digest, trust).has_value());
  EXPECT_FALSE(verify_timestamp_token(token.der + '\0', digest, trust).has_value());
}

// More than one bit at a time: each base64 digit of the token changed (as
// in an evidence file), and each string type in it changed to another
// OpenSSL reads as the same name. The signer's name outside the signature
// once matched its certificate that way (an evidence file's every-byte test
// found it).
TEST_F(TrustedTimestampTest, ChangesThatOpenSslReadsAsTheSameAreDetectedToo) {
  const std::string digest = digest_of("checkpoint 43");
  const TimestampToken token = stamp(digest);
  const TsaTrust trust = national_.trust();
  const std::string text = base64_encode(token.der);
  for (std::size_t at = 0; at < text.size(); ++at) {
    std::string changed = text;
    changed[at] = static_cast<char>(changed[at] ^ 0x01);
    const auto der = base64_decode(changed);
    if (!der || *der == token.der)
      continue;  // not base64, or the same bytes (unused bits of the last digit)
    EXPECT_FALSE(verify_timestamp_token(*der, digest, trust).has_value()) << "digit " << at;
  }
  int strings = 0;
  for (std::size_t at = 0; at < token.der.size(); ++at) {
    if (token.der[at] != 0x13 && token.der[at] != 0x0c)  // PrintableString, UTF8String
      continue;
    ++strings;
    std::string tampered = token.der;
    tampered[at] = 0x14;  // T61String
    EXPECT_FALSE(verify_timestamp_token(tampered, digest, trust).has_value()) << "byte " << at;
  }
  EXPECT_GT(strings, 2);
}

TEST_F(TrustedTimestampTest, WhatIsNotAReplyIsRefusedAndARejectionIsNotAToken) {
  const auto request = make_timestamp_request(digest_of("x")).value();
  for (const std::string& reply : {std::string(), std::string("\x30\x03\x02\x01\x00", 5),
                                   std::string(200, '\x30'), request.der}) {
    const auto accepted = accept_timestamp_reply(reply, request, national_.trust());
    ASSERT_FALSE(accepted.has_value());
    EXPECT_EQ(accepted.error().code, ErrorCode::kProviderBadResponse);
  }
  // Not a request: the authority answers with a rejection, which is no token.
  const auto rejection = responder_->reply("not a request").value();
  EXPECT_FALSE(accept_timestamp_reply(rejection, request, national_.trust()).has_value());
  EXPECT_FALSE(make_timestamp_request("too short").has_value());
}

TEST_F(TrustedTimestampTest, OnlyATimestampingCertificateMakesAnAuthority) {
  Authority plain;
  ASSERT_NO_FATAL_FAILURE(plain.make("Plain CA", "Not a TSA", /*timestamping=*/false));
  const auto responder = plain.responder();
  ASSERT_FALSE(responder.has_value());
  EXPECT_NE(responder.error().detail.find("timeStamping"), std::string::npos);
  EXPECT_FALSE(TsaTrust::from_pem("no certificate here").has_value());
}

// What docs/evidence.md will tell a third party to run: OpenSSL's own
// command checks our token against the data and the CA, with nothing of ours.
TEST_F(TrustedTimestampTest, OpensslVerifiesTheTokenOnItsOwn) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "no openssl command on this machine";
  const std::string data = "lienthong-audit-checkpoint-v1\nnode hub-1\nseq 42\n";
  const TimestampToken token = stamp(digest_of(data));
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("lt-tsa-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  const auto write = [&](const char* name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  };
  const auto ca = write("ca.pem", pem_of(national_.ca.certificate));
  const auto checkpoint = write("checkpoint.txt", data);
  const auto tst = write("token.tst", token.der);
  const std::string verify =
      "openssl ts -verify -token_in -in " + tst + " -CAfile " + ca + " -data ";
  EXPECT_EQ(std::system((verify + checkpoint + " >/dev/null 2>&1").c_str()), 0);
  const auto changed = write("changed.txt", data + " ");
  EXPECT_NE(std::system((verify + changed + " >/dev/null 2>&1").c_str()), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lienthong::audit

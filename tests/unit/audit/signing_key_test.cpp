// The hub's Ed25519 signatures are RFC 8032's, whichever library makes them:
// libsodium signs and checks, OpenSSL (an independent implementation) must
// agree both ways, and anything else is refused.
#include "lienthong/audit/signing_key.hpp"

#include <filesystem>
#include <memory>
#include <unistd.h>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "lienthong/core/digest.hpp"

namespace lienthong::audit {
namespace {

namespace fs = std::filesystem;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

class SigningKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("lt-signing-key-" + std::to_string(::getpid()) + ".pem");
    fs::remove(path_);
  }
  void TearDown() override { fs::remove(path_); }

  // The key file as OpenSSL reads it.
  PkeyPtr openssl_private_key() const {
    FILE* file = std::fopen(path_.c_str(), "r");
    PkeyPtr key(PEM_read_PrivateKey(file, nullptr, nullptr, nullptr));
    std::fclose(file);
    return key;
  }
  static std::string openssl_sign(EVP_PKEY* key, std::string_view message) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    std::string signature(64, '\0');
    std::size_t length = signature.size();
    EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key);
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                   reinterpret_cast<const unsigned char*>(message.data()), message.size());
    return signature;
  }
  static bool openssl_verify(EVP_PKEY* key, std::string_view message, std::string_view signature) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
           EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()),
                            message.size()) == 1;
  }

  fs::path path_;
};

TEST_F(SigningKeyTest, OpenSslAndTheHubAgreeOnEverySignature) {
  const SigningKey key = SigningKey::load_or_create(path_.string());
  const PkeyPtr openssl_key = openssl_private_key();
  ASSERT_NE(openssl_key, nullptr);
  const std::string message = "lienthong-assertion+jwt: một thông điệp";

  // Ed25519 is deterministic: the same key and message, the same signature.
  const auto ours = base64_decode(key.sign(message));
  ASSERT_TRUE(ours.has_value());
  EXPECT_EQ(*ours, openssl_sign(openssl_key.get(), message));
  EXPECT_TRUE(openssl_verify(openssl_key.get(), message, *ours));

  const auto verifying = VerifyingKey::from_pem(key.public_key_pem());
  ASSERT_TRUE(verifying.has_value());
  EXPECT_EQ(verifying.value().key_id(), key.key_id());
  EXPECT_TRUE(verifying.value().verify(message, openssl_sign(openssl_key.get(), message)));

  // Another message, a changed signature or a truncated one: refused.
  std::string altered = *ours;
  altered[10] = static_cast<char>(altered[10] ^ 0x01);
  EXPECT_FALSE(verifying.value().verify(message, altered));
  EXPECT_FALSE(verifying.value().verify(message + ".", *ours));
  EXPECT_FALSE(verifying.value().verify(message, ours->substr(0, 63)));
  EXPECT_FALSE(verifying.value().verify(message, ""));
}

TEST_F(SigningKeyTest, AReloadedKeySignsAsBefore) {
  const std::string first = SigningKey::load_or_create(path_.string()).sign("m");
  EXPECT_EQ(SigningKey::load_or_create(path_.string()).sign("m"), first);
  EXPECT_FALSE(
      VerifyingKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
          .has_value());
}

}  // namespace
}  // namespace lienthong::audit

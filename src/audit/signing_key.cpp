#include "lienthong/audit/signing_key.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fcntl.h>
#include <sodium.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "lienthong/core/digest.hpp"
#include "lienthong/core/pkcs11_token.hpp"

namespace lienthong::audit {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string raw_public_key(EVP_PKEY* key) {
  std::string raw(32, '\0');
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &length) != 1)
    return {};
  raw.resize(length);
  return raw;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(length));
}

PkeyPtr read_public_key(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio)
    return nullptr;
  return PkeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

// Writes the new key's PEM to `path` with mode 0600 from the start, never
// readable by others even for a moment; O_EXCL so two nodes cannot race.
void write_private_key(EVP_PKEY* key, const std::string& path) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("cannot encode the new audit signing key");
  const std::string pem = bio_text(bio.get());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot create audit signing key " + path);
  const bool written = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
  ::close(fd);
  if (!written)
    throw std::runtime_error("cannot write audit signing key " + path);
}

// libsodium signs and checks (RFC 8032 Ed25519, the same signatures):
// about twice as fast as OpenSSL 3.0 on the same machine, and every
// exchange between hubs signs one assertion and checks one.
void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready)
    throw std::runtime_error("libsodium cannot be initialised");
}

}  // namespace

struct SigningKey::Key {
  PkeyPtr pkey;
  // libsodium's form of the same key: the 32-byte seed, then the public key.
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret{};
  // Set when the private key lives in a token: `pkey` is then the public half.
  std::shared_ptr<Pkcs11Token> token;
  ~Key() { sodium_memzero(secret.data(), secret.size()); }
};

SigningKey::SigningKey(std::unique_ptr<Key> key) : key_(std::move(key)) {
  ensure_sodium();
  std::string raw;
  if (key_->token) {
    // Only the public half is here; the token signs.
    raw = key_->token->ed25519_public_key();
    key_->pkey.reset(EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size()));
    if (!key_->pkey)
      throw std::runtime_error("the token's signing key is not an Ed25519 public key");
  } else {
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    std::size_t seed_length = seed.size();
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
    raw = raw_public_key(key_->pkey.get());
    const bool derived =
        EVP_PKEY_get_raw_private_key(key_->pkey.get(), seed.data(), &seed_length) == 1 &&
        seed_length == seed.size() &&
        crypto_sign_seed_keypair(public_key.data(), key_->secret.data(), seed.data()) == 0 &&
        raw == std::string(public_key.begin(), public_key.end());
    sodium_memzero(seed.data(), seed.size());
    if (!derived)
      throw std::runtime_error("cannot read the Ed25519 signing key");
  }
  key_id_ = sha256_hex(raw);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_->pkey.get()) != 1)
    throw std::runtime_error("cannot encode the audit signing key's public half");
  public_pem_ = bio_text(bio.get());
}

SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

SigningKey SigningKey::load_or_create(const std::string& path) {
  auto key = std::make_unique<Key>();
  if (Pkcs11Token::is_uri(path)) {
    key->token = Pkcs11Token::open(path);
    return SigningKey(std::move(key));
  }
  if (FILE* file = std::fopen(path.c_str(), "r")) {
    key->pkey.reset(PEM_read_PrivateKey(file, nullptr, nullptr, nullptr));
    std::fclose(file);
    if (!key->pkey || EVP_PKEY_get_id(key->pkey.get()) != EVP_PKEY_ED25519)
      throw std::runtime_error("audit signing key " + path + " is not an Ed25519 PEM private key");
    return SigningKey(std::move(key));
  }
  key->pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key->pkey)
    throw std::runtime_error("cannot generate an Ed25519 key");
  write_private_key(key->pkey.get(), path);
  return SigningKey(std::move(key));
}

std::string SigningKey::sign(std::string_view message) const {
  if (key_->token)
    return base64_encode(key_->token->sign(message));
  std::string signature(crypto_sign_BYTES, '\0');
  if (crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                           key_->secret.data()) != 0)
    throw std::runtime_error("Ed25519 signing failed");
  return base64_encode(signature);
}

struct VerifyingKey::Key {
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> raw{};
};

Result<VerifyingKey> VerifyingKey::from_pem(std::string_view pem) {
  ensure_sodium();
  const PkeyPtr pkey = read_public_key(pem);
  if (!pkey || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519)
    return make_error(ErrorCode::kClientBadRequest, "not an Ed25519 public key");
  const std::string raw = raw_public_key(pkey.get());
  auto key = std::make_shared<Key>();
  if (raw.size() != key->raw.size())
    return make_error(ErrorCode::kClientBadRequest, "not an Ed25519 public key");
  std::copy(raw.begin(), raw.end(), key->raw.begin());
  return VerifyingKey(std::move(key), sha256_hex(raw));
}

bool VerifyingKey::verify(std::string_view message, std::string_view signature) const {
  return signature.size() == crypto_sign_BYTES &&
         crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key_->raw.data()) == 0;
}

Result<bool> verify_signature(std::string_view public_key_pem, std::string_view message,
                              std::string_view signature_base64) {
  auto key = VerifyingKey::from_pem(public_key_pem);
  if (!key.has_value())
    return std::move(key).error();
  const auto signature = base64_decode(signature_base64);
  if (!signature)
    return false;
  return key.value().verify(message, *signature);
}

Result<std::string> public_key_id(std::string_view public_key_pem) {
  auto key = VerifyingKey::from_pem(public_key_pem);
  if (!key.has_value())
    return std::move(key).error();
  return key.value().key_id();
}

}  // namespace lienthong::audit

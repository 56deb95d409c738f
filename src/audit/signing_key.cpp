#include "lienthong/audit/signing_key.hpp"

#include <cstdio>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "lienthong/core/digest.hpp"

namespace lienthong::audit {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

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

}  // namespace

struct SigningKey::Key {
  PkeyPtr pkey;
};

SigningKey::SigningKey(std::unique_ptr<Key> key) : key_(std::move(key)) {
  key_id_ = sha256_hex(raw_public_key(key_->pkey.get()));
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
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string signature(64, '\0');
  std::size_t length = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    throw std::runtime_error("Ed25519 signing failed");
  signature.resize(length);
  return base64_encode(signature);
}

struct VerifyingKey::Key {
  PkeyPtr pkey;
};

Result<VerifyingKey> VerifyingKey::from_pem(std::string_view pem) {
  auto key = std::make_shared<Key>();
  key->pkey = read_public_key(pem);
  if (!key->pkey || EVP_PKEY_get_id(key->pkey.get()) != EVP_PKEY_ED25519)
    return make_error(ErrorCode::kClientBadRequest, "not an Ed25519 public key");
  std::string id = sha256_hex(raw_public_key(key->pkey.get()));
  return VerifyingKey(std::move(key), std::move(id));
}

bool VerifyingKey::verify(std::string_view message, std::string_view signature) const {
  // EVP_PKEY is safe to share between threads for verification; the
  // context is per call.
  MdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
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

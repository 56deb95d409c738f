#include "lienthong/core/sealing_key.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "lienthong/core/digest.hpp"

namespace lienthong {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

struct CipherFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

unsigned char* bytes(std::string& text) {
  return reinterpret_cast<unsigned char*>(text.data());
}

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(bytes(out), static_cast<int>(count)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

// Written whole to a private temporary file (mode 0600 from the start),
// then linked into place: a node starting at the same moment either links
// its own key or finds this one complete, never half written.
bool write_new_key(const std::string& path, const std::string& key) {
  const std::string text = to_hex(key) + "\n";
  const std::string temporary = path + ".new." + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot create the sealing key " + path);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  const bool linked = written && ::link(temporary.c_str(), path.c_str()) == 0;
  const int link_error = errno;
  ::unlink(temporary.c_str());
  if (!written)
    throw std::runtime_error("cannot write the sealing key " + path);
  if (!linked && link_error != EEXIST)
    throw std::runtime_error("cannot create the sealing key " + path);
  return linked;
}

}  // namespace

SealingKey::SealingKey(std::string key) : key_(std::move(key)) {
  key_id_ = sha256_hex("lienthong sealing key\n" + key_).substr(0, 16);
}

SealingKey::~SealingKey() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

SealingKey SealingKey::from_bytes(std::string_view key) {
  if (key.size() != kKeyBytes)
    throw std::invalid_argument("a sealing key is 32 bytes");
  return SealingKey(std::string(key));
}

SealingKey SealingKey::load_or_create(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) {
    std::string key = random_bytes(kKeyBytes);
    if (write_new_key(path, key))
      return SealingKey(std::move(key));
    // Another process created it first: use that one.
  }
  return load(path);
}

SealingKey SealingKey::load(const std::string& path) {
  std::ifstream file(path);
  if (!file)
    throw std::runtime_error("cannot read the sealing key " + path);
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & S_IROTH) != 0)
    throw std::runtime_error("sealing key " + path + " is readable by everyone; chmod o-r it");
  std::string text;
  std::getline(file, text);
  auto key = from_hex(text);
  if (!key || key->size() != kKeyBytes)
    throw std::runtime_error("sealing key " + path + " is not 64 hex digits");
  OPENSSL_cleanse(text.data(), text.size());
  return SealingKey(std::move(*key));
}

const SealingKey* SealingKeys::find(std::string_view key_id) const {
  for (const auto* key : {current.get(), previous.get()}) {
    if (key != nullptr && key->key_id() == key_id)
      return key;
  }
  return nullptr;
}

std::string SealingKey::seal(std::string_view plaintext, std::string_view context) const {
  std::string out = random_bytes(kNonceBytes);
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  CipherPtr ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), bytes(out)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(context),
                        static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), bytes(out) + kNonceBytes, &length, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), bytes(out) + kNonceBytes + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          bytes(out) + kNonceBytes + plaintext.size()) != 1)
    throw std::runtime_error("AES-256-GCM sealing failed");
  return out;
}

std::optional<std::string> SealingKey::open(std::string_view sealed,
                                            std::string_view context) const {
  if (sealed.size() < kNonceBytes + kTagBytes)
    return std::nullopt;
  const std::size_t text_size = sealed.size() - kNonceBytes - kTagBytes;
  std::string plaintext(text_size, '\0');
  std::string tag(sealed.substr(kNonceBytes + text_size));
  CipherPtr ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), bytes(sealed)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(context),
                        static_cast<int>(context.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), bytes(plaintext), &length, bytes(sealed) + kNonceBytes,
                        static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), bytes(plaintext) + length, &length) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return std::nullopt;
  }
  return plaintext;
}

}  // namespace lienthong

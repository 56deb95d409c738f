#include "access/certificate_fingerprint.hpp"

#include <memory>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lienthong/core/digest.hpp"

namespace lienthong::admin {

Result<std::string> certificate_fingerprint(std::string_view pem) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio)
    return make_error(ErrorCode::kServerInternal, "out of memory");
  const std::unique_ptr<X509, decltype(&X509_free)> certificate(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!certificate)
    return make_error(ErrorCode::kClientInvalidInput, "not a PEM certificate");
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate.get(), &der);
  if (length <= 0)
    return make_error(ErrorCode::kClientInvalidInput, "certificate cannot be encoded");
  std::string fingerprint =
      sha256_hex(std::string_view(reinterpret_cast<const char*>(der), length));
  OPENSSL_free(der);
  return fingerprint;
}

}  // namespace lienthong::admin

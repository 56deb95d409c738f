#include "lienthong/audit/timestamp_authority.hpp"

#include <mutex>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "openssl_reasons.hpp"

namespace lienthong::audit {

// OpenSSL's responder keeps the request it answers in its context, so one
// reply at a time.
struct TimestampAuthority::Signer {
  TS_RESP_CTX* ctx = nullptr;
  X509* certificate = nullptr;
  EVP_PKEY* key = nullptr;
  ASN1_OBJECT* policy = nullptr;
  Clock clock;
  std::mutex mutex;
  ~Signer() {
    TS_RESP_CTX_free(ctx);
    X509_free(certificate);
    EVP_PKEY_free(key);
    ASN1_OBJECT_free(policy);
  }
};

namespace {

// Serial numbers unique per token (RFC 3161 2.4.2): 64 random bits.
ASN1_INTEGER* random_serial(TS_RESP_CTX* ctx, void*) {
  BIGNUM* number = BN_new();
  ASN1_INTEGER* serial = nullptr;
  if (number != nullptr && BN_rand(number, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1)
    serial = BN_to_ASN1_INTEGER(number, nullptr);
  BN_free(number);
  if (serial == nullptr) {
    TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "no serial number could be made");
    TS_RESP_CTX_add_failure_info(ctx, TS_INFO_ADD_INFO_NOT_AVAILABLE);
  }
  return serial;
}

Error unusable(const std::string& what) {
  const std::string reasons = openssl_reasons();
  return make_error(ErrorCode::kClientBadRequest, "the timestamp authority cannot use " + what +
                                                      (reasons.empty() ? "" : ": " + reasons));
}

// The time a token says, from the authority's clock.
int clock_time(TS_RESP_CTX*, void* data, long* seconds, long* microseconds) {
  const auto* clock = static_cast<const TimestampAuthority::Clock*>(data);
  const auto since_epoch = (*clock)().time_since_epoch();
  *seconds =
      static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
  *microseconds = static_cast<long>(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count() % 1'000'000);
  return 1;
}

}  // namespace

TimestampAuthority::TimestampAuthority(std::unique_ptr<Signer> signer)
    : signer_(std::move(signer)) {}
TimestampAuthority::~TimestampAuthority() = default;
TimestampAuthority::TimestampAuthority(TimestampAuthority&&) noexcept = default;
TimestampAuthority& TimestampAuthority::operator=(TimestampAuthority&&) noexcept = default;

Result<TimestampAuthority> TimestampAuthority::from_pem(std::string_view certificate_pem,
                                                        std::string_view key_pem,
                                                        std::string_view policy_oid, Clock clock) {
  auto signer = std::make_unique<Signer>();
  signer->clock = std::move(clock);
  BIO* bio = BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size()));
  signer->certificate = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (signer->certificate == nullptr)
    return unusable("its certificate (PEM expected)");
  bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  signer->key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (signer->key == nullptr)
    return unusable("its private key (PEM expected)");
  signer->policy = OBJ_txt2obj(std::string(policy_oid).c_str(), /*no_name=*/1);
  if (signer->policy == nullptr)
    return unusable("the policy " + std::string(policy_oid) + " (a dotted OID expected)");
  signer->ctx = TS_RESP_CTX_new();
  // The certificate must be for timestamping only (RFC 3161 2.3), which
  // OpenSSL checks here.
  if (signer->ctx == nullptr || TS_RESP_CTX_set_signer_cert(signer->ctx, signer->certificate) != 1)
    return unusable("its certificate (extended key usage timeStamping, critical, expected)");
  if (TS_RESP_CTX_set_signer_key(signer->ctx, signer->key) != 1 ||
      TS_RESP_CTX_set_signer_digest(signer->ctx, EVP_sha256()) != 1 ||
      TS_RESP_CTX_set_ess_cert_id_digest(signer->ctx, EVP_sha256()) != 1 ||
      TS_RESP_CTX_set_def_policy(signer->ctx, signer->policy) != 1 ||
      TS_RESP_CTX_add_md(signer->ctx, EVP_sha256()) != 1 ||
      TS_RESP_CTX_set_accuracy(signer->ctx, 1, 0, 0) != 1)
    return unusable("its key");
  TS_RESP_CTX_set_serial_cb(signer->ctx, random_serial, nullptr);
  if (signer->clock)
    TS_RESP_CTX_set_time_cb(signer->ctx, clock_time, &signer->clock);
  return TimestampAuthority(std::move(signer));
}

Result<std::string> TimestampAuthority::reply(std::string_view request_der) const {
  std::lock_guard lock(signer_->mutex);
  BIO* in = BIO_new_mem_buf(request_der.data(), static_cast<int>(request_der.size()));
  TS_RESP* response = in ? TS_RESP_create_response(signer_->ctx, in) : nullptr;
  BIO_free(in);
  ERR_clear_error();  // a rejected request is in the reply, not an error here
  if (response == nullptr)
    return make_error(ErrorCode::kServerInternal, "the timestamp authority made no reply");
  unsigned char* out = nullptr;
  const int length = i2d_TS_RESP(response, &out);
  TS_RESP_free(response);
  if (length <= 0)
    return make_error(ErrorCode::kServerInternal,
                      "the timestamp authority's reply cannot be encoded");
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(length));
  OPENSSL_free(out);
  return der;
}

}  // namespace lienthong::audit

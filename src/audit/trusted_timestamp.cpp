#include "lienthong/audit/trusted_timestamp.hpp"

#include <cstring>
#include <ctime>
#include <new>
#include <vector>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "openssl_reasons.hpp"

namespace lienthong::audit {

struct TsaTrust::Store {
  std::vector<X509*> certificates;  // each check builds its store from them
  ~Store() {
    for (X509* certificate : certificates)
      X509_free(certificate);
  }
};

namespace {

constexpr std::size_t kSha256Bytes = 32;

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using ReqPtr = std::unique_ptr<TS_REQ, Deleter<TS_REQ_free>>;
using RespPtr = std::unique_ptr<TS_RESP, Deleter<TS_RESP_free>>;
using ImprintPtr = std::unique_ptr<TS_MSG_IMPRINT, Deleter<TS_MSG_IMPRINT_free>>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, Deleter<X509_ALGOR_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using VerifyPtr = std::unique_ptr<TS_VERIFY_CTX, Deleter<TS_VERIFY_CTX_free>>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, Deleter<PKCS7_free>>;
using TstInfoPtr = std::unique_ptr<TS_TST_INFO, Deleter<TS_TST_INFO_free>>;

// OpenSSL's reasons for the last failure.
std::string reasons() {
  const std::string text = openssl_reasons();
  return text.empty() ? "no reason given" : text;
}

// Gives `ctx` a store of `trust`'s certificates that checks their validity
// at `when`: a token is evidence of its own time, and must still verify
// once the authority's certificate has expired (a court may look years
// later), as long as it was signed while the certificate was valid. The
// context frees the store.
bool trust_at(TS_VERIFY_CTX* ctx, const TsaTrust& trust, std::time_t when) {
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr)
    return false;
  TS_VERIFY_CTX_set_store(ctx, store);
  for (X509* certificate : trust.store().certificates)
    if (X509_STORE_add_cert(store, certificate) != 1)
      return false;
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), when);
  return true;
}

// The imprint to compare with, owned by the context once set.
bool set_imprint(TS_VERIFY_CTX* ctx, std::string_view digest) {
  auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(digest.size()));
  if (copy == nullptr)
    return false;
  std::copy(digest.begin(), digest.end(), copy);
  TS_VERIFY_CTX_set_imprint(ctx, copy, static_cast<long>(digest.size()));
  return true;
}

Result<TimestampToken> describe(const TS_TST_INFO* info, std::string der) {
  TimestampToken token;
  token.der = std::move(der);
  std::tm when{};
  if (ASN1_TIME_to_tm(TS_TST_INFO_get_time(info), &when) != 1)
    return make_error(ErrorCode::kProviderBadResponse, "the token's time cannot be read");
  token.generated_at = std::chrono::system_clock::from_time_t(timegm(&when));
  if (const ASN1_INTEGER* serial = TS_TST_INFO_get_serial(info)) {
    BignumPtr number(ASN1_INTEGER_to_BN(serial, nullptr));
    if (number) {
      char* hex = BN_bn2hex(number.get());
      token.serial_hex = hex;
      OPENSSL_free(hex);
    }
  }
  return token;
}

// The subject of the certificate that signed `token` (the TSA's).
std::string signer_subject(PKCS7* token) {
  STACK_OF(X509)* signers = PKCS7_get0_signers(token, nullptr, 0);
  std::string subject;
  if (signers != nullptr && sk_X509_num(signers) > 0) {
    char* line = X509_NAME_oneline(X509_get_subject_name(sk_X509_value(signers, 0)), nullptr, 0);
    subject = line;
    OPENSSL_free(line);
  }
  sk_X509_free(signers);
  return subject;
}

std::string der_of(PKCS7* token) {
  unsigned char* out = nullptr;
  const int length = i2d_PKCS7(token, &out);
  if (length <= 0)
    return {};
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(length));
  OPENSSL_free(out);
  return der;
}

// What OpenSSL's check leaves unread, and evidence must not leave open (a
// changed byte anywhere in a token is a changed token): the two versions
// RFC 5652 fixes for a token, algorithm parameters other than absent or
// NULL, and a signature algorithm that is not the signer key's with the
// signer's digest (OpenSSL verifies with the key's own algorithm).
std::string irregularity(PKCS7* token) {
  if (!PKCS7_type_is_signed(token) || token->d.sign == nullptr)
    return "not SignedData";
  const PKCS7_SIGNED* signed_data = token->d.sign;
  if (ASN1_INTEGER_get(signed_data->version) != 3)
    return "SignedData version is not 3";
  STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(token);
  if (signers == nullptr || sk_PKCS7_SIGNER_INFO_num(signers) != 1)
    return "not exactly one signer";
  PKCS7_SIGNER_INFO* signer = sk_PKCS7_SIGNER_INFO_value(signers, 0);
  if (ASN1_INTEGER_get(signer->version) != 1)
    return "SignerInfo version is not 1";
  const auto plain_parameters = [](const X509_ALGOR* algorithm) {
    int type = V_ASN1_UNDEF;
    X509_ALGOR_get0(nullptr, &type, nullptr, algorithm);
    return type == V_ASN1_UNDEF || type == V_ASN1_NULL;
  };
  if (sk_X509_ALGOR_num(signed_data->md_algs) != 1 ||
      !plain_parameters(sk_X509_ALGOR_value(signed_data->md_algs, 0)) ||
      !plain_parameters(signer->digest_alg))
    return "unexpected digest algorithms";
  const int digest = OBJ_obj2nid(signer->digest_alg->algorithm);
  if (OBJ_obj2nid(sk_X509_ALGOR_value(signed_data->md_algs, 0)->algorithm) != digest)
    return "the signer's digest is not the one the token lists";
  const int signature = OBJ_obj2nid(signer->digest_enc_alg->algorithm);
  STACK_OF(X509)* certificates = PKCS7_get0_signers(token, nullptr, 0);
  X509* signer_certificate =
      certificates && sk_X509_num(certificates) == 1 ? sk_X509_value(certificates, 0) : nullptr;
  sk_X509_free(certificates);  // the certificates themselves are the token's
  EVP_PKEY* key = signer_certificate ? X509_get0_pubkey(signer_certificate) : nullptr;
  const int key_type = key ? EVP_PKEY_get_base_id(key) : NID_undef;
  // The signer is named by issuer and serial outside what is signed, and
  // OpenSSL matches names in a canonical form (a PrintableString "VN" as a
  // T61String "VN" matches): the name must be the certificate's own bytes.
  const unsigned char* named = nullptr;
  const unsigned char* issued = nullptr;
  std::size_t named_size = 0, issued_size = 0;
  if (signer_certificate == nullptr || signer->issuer_and_serial == nullptr ||
      X509_NAME_get0_der(signer->issuer_and_serial->issuer, &named, &named_size) != 1 ||
      X509_NAME_get0_der(X509_get_issuer_name(signer_certificate), &issued, &issued_size) != 1 ||
      named_size != issued_size || std::memcmp(named, issued, named_size) != 0)
    return "the signer is not named exactly as its certificate's issuer names it";
  int signature_digest = NID_undef, signature_key = NID_undef;
  const bool consistent = key_type != NID_undef &&
                          (OBJ_find_sigid_algs(signature, &signature_digest, &signature_key) == 1
                               ? signature_key == key_type &&
                                     (signature_digest == digest || signature_digest == NID_undef)
                               : signature == key_type);
  if (!consistent)
    return "the signature algorithm is not the signer key's";
  return {};
}

}  // namespace

TsaTrust::TsaTrust(std::unique_ptr<Store> store) : store_(std::move(store)) {}
TsaTrust::~TsaTrust() = default;
TsaTrust::TsaTrust(TsaTrust&&) noexcept = default;
TsaTrust& TsaTrust::operator=(TsaTrust&&) noexcept = default;

Result<TsaTrust> TsaTrust::from_pem(std::string_view pem) {
  auto store = std::make_unique<Store>();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio)
    return make_error(ErrorCode::kServerInternal, "out of memory reading the TSA's certificates");
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
    store->certificates.push_back(certificate);  // owned by the store from here
  ERR_clear_error();                             // the end of the PEM text
  if (store->certificates.empty())
    return make_error(ErrorCode::kClientBadRequest,
                      "no certificate in the TSA's trusted certificates (PEM expected)");
  return TsaTrust(std::move(store));
}

std::string TsaTrust::pem() const {
  std::string out;
  for (X509* certificate : store_->certificates) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1)
      throw std::bad_alloc();
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    out.append(data, static_cast<std::size_t>(size));
  }
  return out;
}

Status TsaTrust::check_signed_within() const {
  for (X509* certificate : store_->certificates) {
    bool signed_by_one = false;
    for (X509* issuer : store_->certificates) {
      if (X509_check_issued(issuer, certificate) != X509_V_OK)
        continue;
      EVP_PKEY* key = X509_get0_pubkey(issuer);
      signed_by_one = key != nullptr && X509_verify(certificate, key) == 1;
      if (signed_by_one)
        break;
    }
    ERR_clear_error();
    if (!signed_by_one)
      return make_error(ErrorCode::kClientBadRequest,
                        "a certificate is not signed by any of the certificates given (changed, "
                        "or its issuer is missing)");
  }
  return Ok{};
}

Result<TimestampRequest> make_timestamp_request(std::string_view sha256_digest) {
  if (sha256_digest.size() != kSha256Bytes)
    return make_error(ErrorCode::kServerInternal, "a timestamp is asked for a SHA-256 digest");
  ReqPtr request(TS_REQ_new());
  ImprintPtr imprint(TS_MSG_IMPRINT_new());
  AlgorPtr algorithm(X509_ALGOR_new());
  BignumPtr nonce_number(BN_new());
  if (!request || !imprint || !algorithm || !nonce_number)
    return make_error(ErrorCode::kServerInternal, "out of memory building a timestamp request");
  // A 64-bit nonce ties the reply to this request (RFC 3161 2.4.1).
  const bool built =
      TS_REQ_set_version(request.get(), 1) == 1 &&
      X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1 &&
      TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) == 1 &&
      TS_MSG_IMPRINT_set_msg(
          imprint.get(), reinterpret_cast<unsigned char*>(const_cast<char*>(sha256_digest.data())),
          static_cast<int>(sha256_digest.size())) == 1 &&
      TS_REQ_set_msg_imprint(request.get(), imprint.get()) == 1 &&
      BN_rand(nonce_number.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1;
  if (!built)
    return make_error(ErrorCode::kServerInternal, "cannot build a timestamp request: " + reasons());
  IntegerPtr nonce(BN_to_ASN1_INTEGER(nonce_number.get(), nullptr));
  if (!nonce || TS_REQ_set_nonce(request.get(), nonce.get()) != 1 ||
      TS_REQ_set_cert_req(request.get(), 1) != 1)
    return make_error(ErrorCode::kServerInternal, "cannot build a timestamp request: " + reasons());
  unsigned char* out = nullptr;
  const int length = i2d_TS_REQ(request.get(), &out);
  if (length <= 0)
    return make_error(ErrorCode::kServerInternal,
                      "cannot encode a timestamp request: " + reasons());
  TimestampRequest result{
      std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(length)),
      std::string(sha256_digest)};
  OPENSSL_free(out);
  return result;
}

Result<TimestampToken> accept_timestamp_reply(std::string_view reply_der,
                                              const TimestampRequest& request,
                                              const TsaTrust& trust) {
  const auto refused = [](const std::string& why) {
    return make_error(ErrorCode::kProviderBadResponse, "the TSA's reply is refused: " + why);
  };
  const auto* in = reinterpret_cast<const unsigned char*>(reply_der.data());
  RespPtr reply(d2i_TS_RESP(nullptr, &in, static_cast<long>(reply_der.size())));
  if (!reply || in != reinterpret_cast<const unsigned char*>(reply_der.data() + reply_der.size()))
    return refused("not a TimeStampResp (DER)");
  const auto* in_request = reinterpret_cast<const unsigned char*>(request.der.data());
  ReqPtr asked(d2i_TS_REQ(nullptr, &in_request, static_cast<long>(request.der.size())));
  if (!asked)
    return make_error(ErrorCode::kServerInternal, "our own timestamp request cannot be read");
  // The request's imprint, nonce and policy (none), every check but the
  // TSA's name, which a reply need not carry.
  VerifyPtr ctx(TS_REQ_to_TS_VERIFY_CTX(asked.get(), nullptr));
  if (!ctx)
    return make_error(ErrorCode::kServerInternal, "cannot check a timestamp: " + reasons());
  if (!trust_at(ctx.get(), trust, std::time(nullptr)))
    return make_error(ErrorCode::kServerInternal, "cannot check a timestamp");
  TS_VERIFY_CTX_add_flags(ctx.get(), TS_VFY_SIGNATURE | TS_VFY_SIGNER);
  if (TS_RESP_verify_response(ctx.get(), reply.get()) != 1)
    return refused(reasons());
  PKCS7* token = TS_RESP_get_token(reply.get());
  if (const auto odd = irregularity(token); !odd.empty())
    return refused(odd);
  auto described = describe(TS_RESP_get_tst_info(reply.get()), der_of(token));
  if (described.has_value())
    described.value().tsa_subject = signer_subject(token);
  return described;
}

Result<TimestampToken> verify_timestamp_token(std::string_view token_der,
                                              std::string_view sha256_digest,
                                              const TsaTrust& trust) {
  const auto refused = [](const std::string& why) {
    return make_error(ErrorCode::kClientBadRequest, "the timestamp token does not verify: " + why);
  };
  const auto* in = reinterpret_cast<const unsigned char*>(token_der.data());
  Pkcs7Ptr token(d2i_PKCS7(nullptr, &in, static_cast<long>(token_der.size())));
  if (!token || in != reinterpret_cast<const unsigned char*>(token_der.data() + token_der.size()))
    return refused("not a TimeStampToken (DER)");
  // The chain is checked at the time the token says (its signature, checked
  // with it, says the time is the authority's).
  TstInfoPtr info(PKCS7_to_TS_TST_INFO(token.get()));
  std::tm generated{};
  if (!info || ASN1_TIME_to_tm(TS_TST_INFO_get_time(info.get()), &generated) != 1)
    return refused("no readable TSTInfo in the token");
  VerifyPtr ctx(TS_VERIFY_CTX_new());
  if (!ctx || !trust_at(ctx.get(), trust, timegm(&generated)) ||
      !set_imprint(ctx.get(), sha256_digest))
    return make_error(ErrorCode::kServerInternal, "cannot check a timestamp");
  TS_VERIFY_CTX_set_flags(ctx.get(),
                          TS_VFY_VERSION | TS_VFY_SIGNER | TS_VFY_SIGNATURE | TS_VFY_IMPRINT);
  if (TS_RESP_verify_token(ctx.get(), token.get()) != 1)
    return refused(reasons());
  if (const auto odd = irregularity(token.get()); !odd.empty())
    return refused(odd);
  auto described = describe(info.get(), std::string(token_der));
  if (described.has_value())
    described.value().tsa_subject = signer_subject(token.get());
  return described;
}

}  // namespace lienthong::audit

#pragma once
// RFC 3161 trusted timestamps (issue 24): evidence from an outside authority
// that a checkpoint existed at a time, which the hub's own signatures cannot
// give. OpenSSL builds and checks the protocol's ASN.1 (TS_*); this is the
// hub's use of it: a request over a SHA-256 digest, the authority's reply
// checked against the authority's pinned certificate chain, and a kept
// token checked again later, by anyone, with only that chain.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "lienthong/core/result.hpp"

namespace lienthong::audit {

// The certificates a Time-Stamping Authority's signing certificate must
// chain to (PEM, one or more), and nothing else: not the system's store.
class TsaTrust {
 public:
  // Client.BadRequest when `pem` holds no certificate.
  static Result<TsaTrust> from_pem(std::string_view pem);
  ~TsaTrust();
  TsaTrust(TsaTrust&&) noexcept;
  TsaTrust& operator=(TsaTrust&&) noexcept;

  // The certificates as PEM, in the order read: what an evidence file
  // carries for a third party to check its token with.
  std::string pem() const;
  // Client.BadRequest unless every certificate is signed by one of them
  // (a root by itself): OpenSSL does not check a trust anchor's own
  // signature, so a certificate changed in a file would otherwise pass.
  Status check_signed_within() const;

  struct Store;
  const Store& store() const { return *store_; }

 private:
  explicit TsaTrust(std::unique_ptr<Store> store);
  std::unique_ptr<Store> store_;
};

// A timestamp request (DER TimeStampReq) for a SHA-256 digest, with a fresh
// nonce and the authority's certificate asked for in the token.
struct TimestampRequest {
  std::string der;
  std::string digest;  // the 32 raw bytes the request is over
};
Result<TimestampRequest> make_timestamp_request(std::string_view sha256_digest);

// What a checked token says.
struct TimestampToken {
  std::string der;  // the TimeStampToken (a CMS SignedData), as kept
  std::chrono::system_clock::time_point generated_at;
  std::string serial_hex;   // the authority's serial number of the token
  std::string tsa_subject;  // the signing certificate's subject, one line
};

// The authority's reply (DER TimeStampResp) to `request`: granted, with the
// request's nonce and digest, signed by a timestamping certificate that
// chains to `trust`. Provider.BadResponse, with OpenSSL's reason, otherwise.
Result<TimestampToken> accept_timestamp_reply(std::string_view reply_der,
                                              const TimestampRequest& request,
                                              const TsaTrust& trust);

// A token kept earlier: its signature, its signer's chain to `trust` and its
// digest, which must be `sha256_digest`. Client.BadRequest otherwise.
Result<TimestampToken> verify_timestamp_token(std::string_view token_der,
                                              std::string_view sha256_digest,
                                              const TsaTrust& trust);

}  // namespace lienthong::audit

#pragma once
// A small RFC 3161 Time-Stamping Authority for the demo and the tests
// (`lienthong demo-tsa`), built on OpenSSL's responder (TS_RESP_CTX). A
// national deployment uses an accredited outside authority instead: the
// hub's own TSA would be the hub vouching for itself again.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "lienthong/core/result.hpp"

namespace lienthong::audit {

class TimestampAuthority {
 public:
  // The authority's certificate (extended key usage timeStamping, critical),
  // its private key, and the policy OID it stamps under. `clock`: the time
  // its tokens say (the system's when empty; tests date tokens in the past).
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  static Result<TimestampAuthority> from_pem(std::string_view certificate_pem,
                                             std::string_view key_pem, std::string_view policy_oid,
                                             Clock clock = {});
  ~TimestampAuthority();
  TimestampAuthority(TimestampAuthority&&) noexcept;
  TimestampAuthority& operator=(TimestampAuthority&&) noexcept;

  // The DER TimeStampResp for a DER TimeStampReq: a token over the
  // request's SHA-256 imprint with its nonce, or a rejection (status 2)
  // that says why. Never throws; an error only when no reply can be made.
  Result<std::string> reply(std::string_view request_der) const;

 private:
  struct Signer;
  explicit TimestampAuthority(std::unique_ptr<Signer> signer);
  std::unique_ptr<Signer> signer_;
};

}  // namespace lienthong::audit

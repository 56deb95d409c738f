#include "lienthong/evidence/digest_stamp.hpp"

#include "tsa_client.hpp"

namespace lienthong::evidence {

Result<audit::TimestampToken> stamp_digest(const std::string& tsa_url, const audit::TsaTrust& trust,
                                           std::string_view sha256_digest,
                                           std::chrono::milliseconds timeout) {
  auto request = audit::make_timestamp_request(sha256_digest);
  if (!request.has_value())
    return std::move(request).error();
  auto reply = ask_timestamp_authority(tsa_url, request.value().der, timeout);
  if (!reply.has_value())
    return std::move(reply).error();
  return audit::accept_timestamp_reply(reply.value(), request.value(), trust);
}

}  // namespace lienthong::evidence

#include "lienthong/policy/authenticator.hpp"

#include <boost/beast/core/string.hpp>

#include "lienthong/core/digest.hpp"

namespace lienthong::policy {
namespace {

constexpr std::string_view kApiKeyScheme = "ApiKey ";

Result<const registry::SystemEntry*> accept(const registry::CredentialMatch& match,
                                            std::chrono::system_clock::time_point now,
                                            const std::string& what) {
  if (match.system == nullptr) {
    return make_error(ErrorCode::kClientUnauthenticated,
                      what + " is not registered to an active system (or was revoked)");
  }
  if (match.expires_at && now >= *match.expires_at)
    return make_error(ErrorCode::kClientUnauthenticated, what + " has expired");
  return match.system;
}

}  // namespace

Result<const registry::SystemEntry*> authenticate(const registry::Snapshot& snapshot,
                                                  const net::HttpRequest& request) {
  const auto authorization = request.header("Authorization");
  if (authorization.size() > kApiKeyScheme.size() &&
      boost::beast::iequals(authorization.substr(0, kApiKeyScheme.size()), kApiKeyScheme)) {
    // Looked up by the key's SHA-256: the comparison never touches the key
    // itself, so its timing reveals nothing about it.
    const auto key = authorization.substr(kApiKeyScheme.size());
    return accept(snapshot.api_key(sha256_hex(key)), request.received_at, "the API key");
  }
  const auto& fingerprint = request.peer.certificate_sha256;
  if (fingerprint.empty()) {
    return make_error(ErrorCode::kClientUnauthenticated,
                      "present a client certificate issued to your system, or an API key "
                      "(Authorization: ApiKey <key>)");
  }
  return accept(snapshot.certificate(fingerprint), request.received_at,
                "the client certificate (SHA-256 " + fingerprint + ")");
}

}  // namespace lienthong::policy

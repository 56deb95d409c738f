#include "lienthong/policy/authenticator.hpp"

namespace lienthong::policy {

Result<const registry::SystemEntry*> authenticate(const registry::Snapshot& snapshot,
                                                  const net::HttpRequest& request) {
  const auto& fingerprint = request.peer.certificate_sha256;
  if (fingerprint.empty()) {
    return make_error(ErrorCode::kClientUnauthenticated,
                      "present a client certificate issued to your system");
  }
  const registry::SystemEntry* system = snapshot.system_by_certificate(fingerprint);
  if (system == nullptr) {
    return make_error(ErrorCode::kClientUnauthenticated,
                      "the client certificate (SHA-256 " + fingerprint +
                          ") is not registered to an active system");
  }
  return system;
}

}  // namespace lienthong::policy

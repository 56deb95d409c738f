#include "identify_peer.hpp"

namespace lienthong::exchange {

Result<const registry::PeerEntry*> identify_peer(const ExchangeContext& exchange,
                                                 const NodeParts& node,
                                                 const std::string& refusal) {
  if (!node.deps.catalogues)
    return make_error(ErrorCode::kClientNotFound,
                      "this hub exchanges with no peer hubs (federation.instance is not set)");
  if (!exchange.snapshot)
    return make_error(ErrorCode::kServerRegistryUnavailable,
                      "the registry has not been loaded yet");
  const std::string& fingerprint = exchange.request.peer.certificate_sha256;
  const registry::PeerEntry* peer =
      fingerprint.empty() ? nullptr : exchange.snapshot->peer_by_certificate(fingerprint);
  if (peer == nullptr)
    return make_error(ErrorCode::kClientUnauthenticated, refusal);
  return peer;
}

}  // namespace lienthong::exchange

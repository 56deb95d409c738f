#include "lienthong/federation/peer_clients.hpp"

#include <boost/system/system_error.hpp>

#include "lienthong/registry/snapshot.hpp"

#include "peer_tls.hpp"

namespace lienthong::federation {

Result<std::shared_ptr<net::HttpClient>> PeerClients::client_for(const registry::PeerEntry& peer) {
  Entry& entry = clients_[peer.id];
  if (entry.client && entry.ca_pem == peer.tls_ca_pem)
    return entry.client;
  try {
    entry.client = std::make_shared<net::HttpClient>(
        context_, make_peer_tls(peer.tls_ca_pem, client_certificate_, client_key_), options_);
    entry.ca_pem = peer.tls_ca_pem;
    return entry.client;
  } catch (const boost::system::system_error& e) {
    clients_.erase(peer.id);
    return make_error(
        ErrorCode::kServerInternal,
        "cannot set up TLS for peer hub " + peer.instance +
            " (its registered CA, or our federation client certificate): " + e.code().message());
  }
}

}  // namespace lienthong::federation

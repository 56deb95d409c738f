#include "peer_tls.hpp"

#include <boost/asio/ssl/context.hpp>

namespace lienthong::federation {

std::shared_ptr<boost::asio::ssl::context> make_peer_tls(const std::string& ca_pem,
                                                         const std::string& client_certificate,
                                                         const std::string& client_key) {
  namespace ssl = boost::asio::ssl;
  auto tls = std::make_shared<ssl::context>(ssl::context::tls_client);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  tls->set_verify_mode(ssl::verify_peer);
  // Only the peer's registered CA: a certificate some other CA issued for
  // the same name is not the peer.
  tls->add_certificate_authority(boost::asio::buffer(ca_pem));
  if (!client_certificate.empty()) {
    tls->use_certificate_chain_file(client_certificate);
    tls->use_private_key_file(client_key, ssl::context::pem);
  }
  return tls;
}

}  // namespace lienthong::federation

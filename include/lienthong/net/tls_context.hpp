#pragma once
// TLS contexts built one way for the whole hub: TLS 1.2 or newer only, peers
// verified. Startup errors throw std::runtime_error naming the file at fault.

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace lienthong::net {

struct ServerTlsFiles {
  std::string certificate;  // PEM chain of the hub's server certificate
  std::string private_key;  // PEM private key
  std::string client_ca;    // PEM CA(s) that sign member systems' client certificates
};

// Server side: asks every client for a certificate and verifies it against
// `client_ca`; a client without a certificate may still connect (it is then
// refused by the application with a clear 401 rather than a bare TLS alert).
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const ServerTlsFiles& files);

// Client side (hub -> provider): verifies the server against the system trust
// store plus `extra_ca_file` (when non-empty), and presents the hub's own
// certificate to providers that ask for one (when `certificate` is
// non-empty). Host name and SNI are set per connection by the HTTP client.
struct ClientTlsFiles {
  std::string extra_ca_file;
  std::string certificate;
  std::string private_key;
};
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const ClientTlsFiles& files);

}  // namespace lienthong::net

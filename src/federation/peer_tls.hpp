#pragma once
// The TLS client context for one peer hub: its registered CA is the only
// trust anchor (not the system's store), TLS 1.2 or newer, our federation
// client certificate presented. Private to src/federation/.

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace lienthong::federation {

// Throws boost::system::system_error when the CA or our certificate cannot be read.
std::shared_ptr<boost::asio::ssl::context> make_peer_tls(const std::string& ca_pem,
                                                         const std::string& client_certificate,
                                                         const std::string& client_key);

}  // namespace lienthong::federation

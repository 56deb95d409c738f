// What the listeners offer a client before any request: TLS 1.2 only with
// forward-secret AEAD suites, chosen by the server (no CBC suite, which
// testssl.sh flagged), and on the admin listener the headers a browser needs
// (HSTS, no sniffing, no Referer).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

// Handshakes with the listener at `port` offering only `ciphers` over TLS
// 1.2; the suite agreed on, or "" when the server refused.
std::string negotiated_suite(std::uint16_t port, const char* ciphers) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(ctx, ciphers);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);  // the suite is what is tested here
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string suite;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1)
      suite = SSL_get_cipher_name(ssl);
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  ERR_clear_error();
  return suite;
}

using ListenerHardening = AdminFixture;

TEST_F(ListenerHardening, OnlyForwardSecretAeadSuitesChosenByTheServer) {
  for (const std::uint16_t port : {hub_->admin_port(), hub_->exchange_port()}) {
    EXPECT_EQ(negotiated_suite(port,
                               "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:"
                               "ECDHE-RSA-AES128-SHA:AES128-SHA:AES256-SHA256"),
              "")
        << "a CBC suite was accepted on port " << port;
    // The client prefers CBC, then GCM: the server's order wins.
    EXPECT_EQ(negotiated_suite(port,
                               "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-CHACHA20-POLY1305:"
                               "ECDHE-ECDSA-AES128-GCM-SHA256"),
              "ECDHE-ECDSA-AES128-GCM-SHA256");
  }
}

TEST_F(ListenerHardening, AdminAnswersCarryBrowserProtectionHeaders) {
  TestClient raw(hub_->admin_port(), std::nullopt);
  for (const auto& [path, token] :
       std::vector<std::pair<std::string, std::string>>{{"/admin/v1/members", hub_admin_token_},
                                                        {"/admin/v1/members", "wrong"},
                                                        {"/healthz", ""}}) {
    std::map<std::string, std::string> headers;
    if (!token.empty())
      headers["Authorization"] = "Bearer " + token;
    const auto response = raw.request("GET", path, "", "", headers);
    EXPECT_EQ(response.header("strict-transport-security"), "max-age=31536000") << path;
    EXPECT_EQ(response.header("x-content-type-options"), "nosniff") << path;
    EXPECT_EQ(response.header("referrer-policy"), "no-referrer") << path;
  }
}

}  // namespace
}  // namespace lienthong::testing

#include "lienthong/net/tls_context.hpp"

#include <filesystem>
#include <stdexcept>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

namespace lienthong::net {
namespace ssl = boost::asio::ssl;

namespace {

void require_readable(const std::string& path, const char* what) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::is_regular_file(path, ec)) {
    throw std::runtime_error(std::string(what) + ": file not found: '" + path + "'");
  }
}

// TLS 1.2 suites offered: forward secrecy and AEAD only (no CBC, no RSA key
// exchange), as BSI TR-02102-2 and Mozilla's "intermediate" profile advise.
// TLS 1.3 suites are OpenSSL's defaults, all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

void restrict_protocols(ssl::context& ctx) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::single_dh_use | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
}

// The server picks the suite from its own order, not the client's.
void restrict_server_ciphers(ssl::context& ctx) {
  if (SSL_CTX_set_cipher_list(ctx.native_handle(), kTls12Ciphers) != 1)
    throw std::runtime_error("OpenSSL offers none of the TLS 1.2 cipher suites the hub uses");
  SSL_CTX_set_options(ctx.native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls_context(const ServerTlsFiles& files) {
  require_readable(files.certificate, "tls.certificate");
  require_readable(files.private_key, "tls.private_key");
  require_readable(files.client_ca, "tls.client_ca");

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  restrict_protocols(*ctx);
  restrict_server_ciphers(*ctx);
  try {
    ctx->use_certificate_chain_file(files.certificate);
  } catch (const std::exception& e) {
    throw std::runtime_error("tls.certificate: cannot load '" + files.certificate +
                             "': " + e.what());
  }
  try {
    ctx->use_private_key_file(files.private_key, ssl::context::pem);
  } catch (const std::exception& e) {
    throw std::runtime_error("tls.private_key: cannot load '" + files.private_key +
                             "': " + e.what());
  }
  try {
    ctx->load_verify_file(files.client_ca);
  } catch (const std::exception& e) {
    throw std::runtime_error("tls.client_ca: cannot load '" + files.client_ca + "': " + e.what());
  }
  // Tell clients which CAs we accept, so they pick the right certificate.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca.c_str())) {
    SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
  }
  // Ask for a certificate but let the handshake finish without one: the
  // application answers such callers with a problem+json 401 and audits it.
  // A certificate that is presented must verify, or the handshake fails.
  ctx->set_verify_mode(ssl::verify_peer);
  static constexpr unsigned char kSessionContext[] = "lienthong-exchange";
  SSL_CTX_set_session_id_context(ctx->native_handle(), kSessionContext,
                                 sizeof(kSessionContext) - 1);
  return ctx;
}

std::shared_ptr<ssl::context> make_client_tls_context(const ClientTlsFiles& files) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  restrict_protocols(*ctx);
  ctx->set_default_verify_paths();
  if (!files.extra_ca_file.empty()) {
    require_readable(files.extra_ca_file, "provider.ca_file");
    ctx->load_verify_file(files.extra_ca_file);
  }
  if (!files.certificate.empty()) {
    require_readable(files.certificate, "provider.client_certificate");
    require_readable(files.private_key, "provider.client_key");
    try {
      ctx->use_certificate_chain_file(files.certificate);
      ctx->use_private_key_file(files.private_key, ssl::context::pem);
    } catch (const std::exception& e) {
      throw std::runtime_error("provider.client_certificate/client_key: cannot load: " +
                               std::string(e.what()));
    }
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

}  // namespace lienthong::net

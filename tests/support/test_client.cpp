#include "test_client.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/x509.h>

#include "lienthong/core/digest.hpp"

#include "test_environment.hpp"

namespace lienthong::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string ClientResponse::header(const std::string& lower_case_name) const {
  const auto it = headers.find(lower_case_name);
  return it == headers.end() ? std::string() : it->second;
}

struct TestClient::Impl {
  std::uint16_t port;
  asio::io_context context;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
  int connections_opened = 0;
};

TestClient::TestClient(std::uint16_t port, std::optional<std::string> certificate,
                       const std::string& server_ca)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->tls.load_verify_file(pki_file(server_ca));
  impl_->tls.set_verify_mode(asio::ssl::verify_peer);
  if (certificate) {
    impl_->tls.use_certificate_chain_file(pki_file(*certificate + ".crt"));
    impl_->tls.use_private_key_file(pki_file(*certificate + ".key"), asio::ssl::context::pem);
  }
}

TestClient::~TestClient() = default;

bool TestClient::connect(std::string* error) {
  auto& s = *impl_;
  s.stream = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(s.context, s.tls);
  SSL_set_tlsext_host_name(s.stream->native_handle(), "localhost");
  s.stream->set_verify_callback(asio::ssl::host_name_verification("localhost"));
  s.buffer.clear();
  beast::error_code ec;
  s.stream->next_layer().expires_after(std::chrono::seconds(10));
  s.stream->next_layer().socket().connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.port), ec);
  if (!ec)
    s.stream->handshake(asio::ssl::stream_base::client, ec);
  // Under TLS 1.3 a server that rejects our certificate says so only on the
  // first read after the handshake; callers see that as a failed request().
  if (ec) {
    if (error)
      *error = ec.message();
    s.stream.reset();
    return false;
  }
  ++s.connections_opened;
  return true;
}

int TestClient::connections_opened() const {
  return impl_->connections_opened;
}

ClientResponse TestClient::request(const std::string& method, const std::string& target,
                                   const std::string& body, const std::string& content_type,
                                   const std::map<std::string, std::string>& headers) {
  auto& s = *impl_;
  if (!s.stream) {
    std::string error;
    if (!connect(&error))
      throw std::runtime_error("TLS connect failed: " + error);
  }
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "localhost");
  if (!content_type.empty())
    req.set(http::field::content_type, content_type);
  for (const auto& [name, value] : headers)
    req.set(name, value);
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  http::write(*s.stream, req);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(*s.stream, s.buffer, parser);
  auto& res = parser.get();
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers[name] = std::string(field.value());
  }
  out.body = res.body();
  if (!res.keep_alive())
    s.stream.reset();
  return out;
}

std::string TestClient::send_raw(const std::string& bytes) {
  auto& s = *impl_;
  if (!s.stream) {
    std::string error;
    if (!connect(&error))
      throw std::runtime_error("TLS connect failed: " + error);
  }
  beast::error_code ec;
  asio::write(*s.stream, asio::buffer(bytes), ec);
  std::string received;
  char chunk[4096];
  while (!ec) {
    const auto n = s.stream->read_some(asio::buffer(chunk), ec);
    received.append(chunk, n);
  }
  s.stream.reset();
  return received;
}

}  // namespace lienthong::testing

namespace lienthong::testing {

std::string TestClient::server_certificate_sha256() const {
  if (!impl_->stream)
    return {};
  X509* certificate = SSL_get0_peer_certificate(impl_->stream->native_handle());
  if (certificate == nullptr)
    return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(certificate, EVP_sha256(), digest, &length);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace lienthong::testing

#pragma once
// A small synchronous HTTPS client for tests: verifies the hub's certificate
// against the test CA and presents a client certificate from the test PKI
// (or none). Keeps its connection open across requests (keep-alive).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace lienthong::testing {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& lower_case_name) const;
};

class TestClient {
 public:
  // `certificate` names a file pair in the test PKI ("TEST-CONSUMER" ->
  // TEST-CONSUMER.crt/.key); nullopt sends no client certificate.
  // `server_ca` names the test PKI file the server's certificate must chain
  // to (another CA's for a peer hub: "foreign-ca.crt").
  TestClient(std::uint16_t port, std::optional<std::string> certificate,
             const std::string& server_ca = "ca.crt");
  ~TestClient();

  // Connects and completes the TLS handshake; false (with `error`) if refused.
  bool connect(std::string* error = nullptr);
  // Sends one request (connecting first if needed). Throws on transport errors.
  ClientResponse request(const std::string& method, const std::string& target,
                         const std::string& body,
                         const std::string& content_type = "application/json",
                         const std::map<std::string, std::string>& headers = {});
  ClientResponse post(const std::string& target, const std::string& body) {
    return request("POST", target, body);
  }
  // Sends raw bytes on the TLS connection and returns whatever arrives until
  // the server closes it (for malformed HTTP and slow-client tests).
  std::string send_raw(const std::string& bytes);
  // How many TLS connections this client has opened so far.
  int connections_opened() const;
  // The SHA-256 (hex) of the certificate the server presented on the current
  // connection; empty when not connected.
  std::string server_certificate_sha256() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::testing

#pragma once
// The HTTP clients one I/O thread uses to forward exchanges to peer hubs:
// one per peer, each trusting only that peer's registered CA and presenting
// our federation client certificate, with its own keep-alive pool. Not
// thread-safe, like net::HttpClient: one PeerClients per I/O thread.

#include <memory>
#include <string>
#include <unordered_map>

#include "lienthong/adapters/circuit_breaker.hpp"
#include "lienthong/core/result.hpp"
#include "lienthong/net/http_client.hpp"

namespace lienthong::registry {
struct PeerEntry;
}

namespace lienthong::federation {

class PeerClients {
 public:
  // `breakers` are the node's, shared with its provider calls: a peer hub
  // that cannot be reached is paused like a failing provider.
  PeerClients(boost::asio::io_context& context, std::string client_certificate,
              std::string client_key, net::ClientOptions options,
              std::shared_ptr<adapters::CircuitBreakers> breakers)
      : context_(context),
        client_certificate_(std::move(client_certificate)),
        client_key_(std::move(client_key)),
        options_(options),
        breakers_(std::move(breakers)) {}

  adapters::CircuitBreakers& breakers() { return *breakers_; }

  // The client for `peer`, made anew when its registered CA changed; the
  // caller keeps the pointer for the duration of its call. Server.Internal
  // when the CA or our certificate cannot be loaded.
  Result<std::shared_ptr<net::HttpClient>> client_for(const registry::PeerEntry& peer);

 private:
  struct Entry {
    std::string ca_pem;
    std::shared_ptr<net::HttpClient> client;
  };
  boost::asio::io_context& context_;
  std::string client_certificate_;
  std::string client_key_;
  net::ClientOptions options_;
  std::shared_ptr<adapters::CircuitBreakers> breakers_;
  std::unordered_map<std::int64_t, Entry> clients_;
};

}  // namespace lienthong::federation

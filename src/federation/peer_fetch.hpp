#pragma once
// One HTTPS GET to a peer hub through net::HttpClient: its server
// certificate verified against the CA registered for that peer (not the
// system's trust store) and its name, this hub's client certificate
// presented, everything within one deadline.

#include <chrono>
#include <cstdint>
#include <string>

#include "lienthong/core/result.hpp"

namespace lienthong::registry {
struct PeerEntry;
}

namespace lienthong::federation {

struct FetchOptions {
  std::string client_certificate;  // PEM files; none presented when empty
  std::string client_key;
  std::chrono::milliseconds timeout{10'000};
  std::uint64_t max_body_bytes = 16 * 1024 * 1024;
};

// The body of a 200 answer to GET `path` at the peer's exchange URL.
// Errors (Provider.Unreachable, Provider.Timeout, Provider.BadResponse) say
// what failed, for the peer's status.
Result<std::string> fetch_from_peer(const registry::PeerEntry& peer, const std::string& path,
                                    const FetchOptions& options);

}  // namespace lienthong::federation

#pragma once
// The HTTP headers one hop between hubs adds (docs/federation.md): the
// forwarding hub's signed assertion on the request, and the next hub's
// receipt on its answer: the hash of the audit record it committed before
// answering, which the forwarding hub keeps in its own record.

#include <cstddef>
#include <string_view>

namespace lienthong::federation {

inline constexpr std::string_view kAssertionHeader = "Lienthong-Assertion";
inline constexpr std::string_view kRecordHashHeader = "Lienthong-Record-Hash";
// What the forwarding hub tells its caller: the next hub's request id and receipt.
inline constexpr std::string_view kPeerRequestIdHeader = "Lienthong-Peer-Request-Id";
inline constexpr std::string_view kPeerRecordHashHeader = "Lienthong-Peer-Record-Hash";
// An assertion is a few hundred bytes; a peer's longer header is refused
// before it reaches the audit record.
inline constexpr std::size_t kMaxAssertionBytes = 8'192;

}  // namespace lienthong::federation

#pragma once
// What a peer hub's answer means for a message a delivery worker passed on
// to it (docs/federation.md): 202, queued there (its status document is
// kept); another 2xx, answered at once (the envelope's body is kept, as a
// provider's answer); a hub's refusal, given up unless the hub is busy or
// failing (429, 5xx). Private to src/delivery/.

#include <string>

#include "lienthong/net/http_message.hpp"

namespace lienthong::delivery {

struct PeerAnswer {
  bool delivered = false;
  int status = 0;
  std::string body;    // when delivered: what the sender reads
  std::string code;    // when not: the peer's error code (Provider.Error when it gave none)
  std::string detail;  // when not: why, for the queue row
  bool retry = false;  // when not: worth another attempt
};

PeerAnswer read_peer_answer(const net::HttpResponse& response, int max_json_depth);

}  // namespace lienthong::delivery

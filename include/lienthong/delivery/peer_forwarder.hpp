#pragma once
// How a delivery worker passes a queued message for another instance's
// service on to the peer hub it is reached through (docs/federation.md).
// The exchange layer implements it (the same route, outbound rules,
// catalogue, assertion and receipt as a synchronous hop); the worker decides
// what the peer's answer means for the message.

#include <string>

#include <boost/asio/awaitable.hpp>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"

namespace lienthong::delivery {

// A queued message as the next hub receives it.
struct OutboundMessage {
  std::string message_id;
  std::string consumer;  // the sender, a system of ours
  std::string service;   // PROVIDER/SERVICE/VERSION, another instance's
  std::string user_id;
  std::string purpose;
  std::string body;  // the standard JSON body
};

class PeerForwarder {
 public:
  virtual ~PeerForwarder() = default;
  // Sends `message` in an envelope with Prefer: respond-async, signed for by
  // this hub, and notes the hop in `record` (its request id is the
  // assertion's id; the downstream fields are filled). The peer's answer
  // once it carries the peer's receipt, whatever its status; an error when
  // no peer is reachable for it or the peer's answer is not a hub's.
  virtual boost::asio::awaitable<Result<net::HttpResponse>> forward(const OutboundMessage& message,
                                                                    audit::AuditRecord& record) = 0;
};

}  // namespace lienthong::delivery

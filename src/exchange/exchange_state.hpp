#pragma once
// Private to the exchange handler's translation units.

#include <optional>
#include <string>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/exchange/exchange_handler.hpp"
#include "lienthong/net/http_message.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::exchange {

// Everything one request accumulates on its way through the pipeline; it
// becomes the audit record at the end.
struct ExchangeHandler::Exchange {
  net::HttpRequest request;
  registry::SnapshotPtr snapshot;
  audit::AuditRecord record;
  std::string message_id;
  std::optional<int> retry_after_seconds;  // sent as Retry-After with a 429
  bool xroad = false;                      // an X-Road REST (r1) call: errors take X-Road's form
};

}  // namespace lienthong::exchange

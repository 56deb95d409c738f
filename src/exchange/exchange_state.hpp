#pragma once
// Private to the exchange handler's translation units.

#include <optional>
#include <string>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/exchange/exchange_handler.hpp"
#include "lienthong/net/http_message.hpp"
#include "lienthong/observability/trace_context.hpp"
#include "lienthong/policy/concurrency_limiter.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::exchange {

inline constexpr std::string_view kServicesPrefix = "/exchange/v1/services/";
inline constexpr std::string_view kOpenApiSuffix = "/openapi";

// Whether a Prefer header (RFC 7240) asks for respond-async.
bool prefers_async(std::string_view prefer);

// A JSON answer carrying the hub's request id.
net::HttpResponse json_response(int status, std::string body, const std::string& request_id);

// Everything one request accumulates on its way through the pipeline; it
// becomes the audit record at the end.
struct ExchangeHandler::Exchange {
  Exchange(net::HttpRequest received, registry::SnapshotPtr current)
      : request(std::move(received)), snapshot(std::move(current)) {}

  net::HttpRequest request;
  registry::SnapshotPtr snapshot;
  audit::AuditRecord record;
  std::string message_id;
  // The W3C trace this request belongs to; the provider call carries it on.
  observability::TraceContext trace;
  std::optional<int> retry_after_seconds;  // sent as Retry-After with a 429
  bool xroad = false;                      // an X-Road REST (r1) call: errors take X-Road's form
  // What the audit record keeps of the bodies, once the service is known.
  registry::AuditBodies audit_bodies = registry::AuditBodies::kHash;
  // The caller's place among its requests in flight, held until the answer is audited.
  std::optional<policy::ConcurrencyLimiter::Slot> slot;
};

// A request body as the policy checks see it: already parsed (an envelope's
// payload), or JSON text parsed only if a schema needs it (X-Road REST), or
// neither when the body is not JSON.
struct ExchangeHandler::JsonBody {
  const nlohmann::json* parsed = nullptr;
  std::string_view text;
};

}  // namespace lienthong::exchange

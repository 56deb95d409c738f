#pragma once
// The exchange pipeline's stages. Each is a plain function that passes, with
// what the next stage needs, or ends the exchange with an Error. Every entry
// point composes them in this order and differs only in how it reads the
// request and writes the answer (docs/architecture.md, "The pipeline"):
//
//   identify -> resolve the service -> authorize -> admit (rate and quota)
//   -> call the provider -> check the answer -> shape it -> keep the bodies
//
// The envelope endpoint, X-Road REST (src/exchange/) and the delivery worker
// (src/delivery/) are today's entry points. None of the stages touches TLS or
// PostgreSQL; their tests build a registry snapshot in memory.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"
#include "lienthong/policy/agreement_check.hpp"
#include "lienthong/policy/concurrency_limiter.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::adapters {
class AdapterSet;
}
namespace lienthong::audit {
class AuditSink;
}

namespace lienthong::pipeline {

using Clock = std::chrono::system_clock;

// 1. Identify: the registered, active system whose credential the request
// carries. Server.RegistryUnavailable while no snapshot is loaded (nobody
// can be authenticated), Client.Unauthenticated without a valid credential.
Result<const registry::SystemEntry*> identify(const registry::Snapshot* snapshot,
                                              const net::HttpRequest& request);

// The caller's place among its requests in flight on this node, or
// Client.ConcurrencyLimit (retry after 1 s) when it holds the maximum.
Result<policy::ConcurrencyLimiter::Slot> hold_slot(policy::ConcurrencyLimiter& limiter,
                                                   const registry::SystemEntry& caller);

// 2. Resolve the service: active, with a provider that has an address.
// Client.UnknownService otherwise. `key` is "PROVIDER/SERVICE/VERSION".
Result<const registry::ServiceEntry*> resolve_service(const registry::Snapshot& snapshot,
                                                      std::string_view key);

// The same for "PROVIDER/SERVICE" in `version`, or in its only active version
// when `version` is empty. When several are active and none is named, the
// refusal ends with `how_to_name_one` (each protocol names it its own way).
Result<const registry::ServiceEntry*> resolve_service_version(const registry::Snapshot& snapshot,
                                                              std::string_view provider_and_service,
                                                              std::string_view version,
                                                              std::string_view how_to_name_one);

// 3. Authorize: what the caller asks, as the checks see it.
struct CallRequest {
  const registry::SystemEntry* caller = nullptr;
  const registry::ServiceEntry* service = nullptr;
  std::string_view version;
  std::string_view purpose;  // as stated; empty when none
  // Where the caller states a purpose, for the refusal that asks for one.
  std::string_view purpose_field;
  // A stock X-Road client has no header for a purpose: its call may be made
  // under the purpose its agreement was approved for.
  bool may_use_agreement_purpose = false;
  std::optional<policy::Operation> operation;  // REST: the method and path asked for
  std::size_t body_bytes = 0;
  // The body for the request schema: parsed already (an envelope's payload),
  // or JSON text parsed here only if a schema needs it, or neither when the
  // body is not JSON.
  const nlohmann::json* parsed_body = nullptr;
  std::string_view json_text;
  // Where the body sits in what the caller sent ("/body" in an envelope),
  // prefixed to the JSON pointers of schema violations.
  std::string_view body_pointer;
  Clock::time_point at{};
};

struct Authorization {
  const registry::AgreementEntry* agreement = nullptr;
  std::string purpose;  // the purpose the call is made, and recorded, under
};

// In order: the service's body limit, an agreement for this call,
// a purpose where the service requires one, the request schema.
Result<Authorization> authorize(const registry::Snapshot& snapshot, const CallRequest& request,
                                int max_json_depth);

// 4. Admit: policy::RateLimiter::admit, the agreement's rate limit and quota.

// 5. Server.AuditUnavailable (retry after 1 s) while `audit` already knows
// it cannot record: nothing is sent to a provider, or queued for one, then.
Status ensure_auditable(const audit::AuditSink& audit);

// Call the provider through the service's adapter, once ensure_auditable
// passes, recording in `record` when the call went and when it came back.
// With a `traceparent`, the provider joins that trace, whatever the caller sent.
boost::asio::awaitable<Result<net::HttpResponse>> call_provider(
    adapters::AdapterSet& adapters, const audit::AuditSink& audit,
    const registry::ServiceEntry& service, net::HttpRequest call, std::string_view traceparent,
    audit::AuditRecord& record);

// 6. Check the answer: never pass on a provider's server error (Provider.Error)
// or an answer that is not JSON within `max_json_depth` (Provider.BadResponse).
Result<nlohmann::json> check_answer(const net::HttpResponse& reply, int max_json_depth);

// 7. Shape a successful answer (status < 300): the response schema, then
// the agreement's response fields. Other answers pass unchanged.
Result<nlohmann::json> shape_answer(int status, const registry::ServiceEntry& service,
                                    const registry::AgreementEntry& agreement, nlohmann::json body);

// 8. Keep what the service's audit_bodies asks for of both bodies in the
// audit record: nothing, their SHA-256, or the bodies themselves too.
void keep_bodies(audit::AuditRecord& record, registry::AuditBodies bodies,
                 std::string_view request_body, std::string_view response_body);

}  // namespace lienthong::pipeline

// Stage 5: the call to the service's provider, only when it can be recorded,
// timed for the audit record.
#include <boost/beast/core/string.hpp>

#include "lienthong/adapters/adapter_set.hpp"
#include "lienthong/audit/audit_sink.hpp"
#include "lienthong/pipeline/stages.hpp"

namespace lienthong::pipeline {

Status ensure_auditable(const audit::AuditSink& audit) {
  if (audit.accepting())
    return Ok{};
  Error error = make_error(ErrorCode::kServerAuditUnavailable,
                           audit.refusal() + ", so the provider was not called");
  error.retry_after_seconds = 1;
  return error;
}

boost::asio::awaitable<Result<net::HttpResponse>> call_provider(
    adapters::AdapterSet& adapters, const audit::AuditSink& audit,
    const registry::ServiceEntry& service, net::HttpRequest call, std::string_view traceparent,
    audit::AuditRecord& record) {
  if (auto auditable = ensure_auditable(audit); !auditable.has_value())
    co_return std::move(auditable).error();
  if (!traceparent.empty()) {
    // The provider joins the trace as the hub's child, whatever the caller sent.
    std::erase_if(call.headers, [](const net::Header& header) {
      return boost::beast::iequals(header.name, "traceparent");
    });
    call.headers.push_back({"traceparent", std::string(traceparent)});
  }
  record.provider_called_at = Clock::now();
  auto answer = co_await adapters.call(service, std::move(call));
  record.provider_answered_at = Clock::now();
  co_return answer;
}

}  // namespace lienthong::pipeline

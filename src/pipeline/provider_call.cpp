// Stage 5: the call to the service's provider, timed for the audit record.
#include <boost/beast/core/string.hpp>

#include "lienthong/adapters/adapter_set.hpp"
#include "lienthong/pipeline/stages.hpp"

namespace lienthong::pipeline {

boost::asio::awaitable<Result<net::HttpResponse>> call_provider(
    adapters::AdapterSet& adapters, const registry::ServiceEntry& service, net::HttpRequest call,
    std::string_view traceparent, audit::AuditRecord& record) {
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

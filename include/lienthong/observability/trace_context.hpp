#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the hub joins the
// caller's trace when it sends a valid `traceparent`, starts one otherwise,
// and passes its own hop to the provider, so one trace id follows a request
// from the consumer through the hub to the provider's logs.

#include <optional>
#include <string>
#include <string_view>

namespace lienthong::observability {

struct TraceContext {
  std::string trace_id;  // 32 lowercase hex digits, never all zero
  std::string span_id;   // 16 hex digits: the hub's hop, the provider's parent
  std::string flags;     // 2 hex digits; the caller's, or "01" (sampled) for a new trace

  // Joins the trace of a `traceparent` header value with a new span; starts a
  // new trace when the value is empty or not a valid traceparent.
  static TraceContext continue_from(std::string_view traceparent);
  // The parsed parts of a valid traceparent value (version 00, or a later
  // version read as 00 allows); nullopt when it is not valid.
  static std::optional<TraceContext> parse(std::string_view traceparent);
  // "00-<trace_id>-<span_id>-<flags>", for the call to the provider.
  std::string traceparent() const;
};

}  // namespace lienthong::observability

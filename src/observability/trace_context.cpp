#include "lienthong/observability/trace_context.hpp"

#include <algorithm>

#include "lienthong/core/digest.hpp"
#include "lienthong/core/id_randomness.hpp"

namespace lienthong::observability {
namespace {

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view text) {
  return text.find_first_not_of('0') == std::string_view::npos;
}

// `bytes` random bytes as lowercase hex, never all zero (the spec forbids it).
std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  do {
    id_random_bytes(reinterpret_cast<unsigned char*>(raw.data()), bytes);
  } while (all_zero(to_hex(raw)));
  return to_hex(raw);
}

}  // namespace

std::optional<TraceContext> TraceContext::parse(std::string_view value) {
  // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2.
  constexpr std::size_t kLength = 55;
  if (value.size() < kLength || value[2] != '-' || value[35] != '-' || value[52] != '-')
    return std::nullopt;
  const auto version = value.substr(0, 2);
  if (!is_lower_hex(version) || version == "ff")
    return std::nullopt;
  // Version 00 is exactly 55 characters; later versions may append "-...".
  if (version == "00" ? value.size() != kLength : value.size() > kLength && value[kLength] != '-')
    return std::nullopt;
  TraceContext context{std::string(value.substr(3, 32)), std::string(value.substr(36, 16)),
                       std::string(value.substr(53, 2))};
  if (!is_lower_hex(context.trace_id) || all_zero(context.trace_id) ||
      !is_lower_hex(context.span_id) || all_zero(context.span_id) || !is_lower_hex(context.flags))
    return std::nullopt;
  return context;
}

TraceContext TraceContext::continue_from(std::string_view traceparent) {
  if (auto joined = parse(traceparent)) {
    joined->span_id = random_hex(8);
    return *std::move(joined);
  }
  return TraceContext{random_hex(16), random_hex(8), "01"};
}

std::string TraceContext::traceparent() const {
  return "00-" + trace_id + "-" + span_id + "-" + flags;
}

}  // namespace lienthong::observability

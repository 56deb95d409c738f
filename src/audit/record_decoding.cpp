// The canonical encoding read back (audit_chain.hpp): what a per-exchange
// proof carries of its record, so that the verifier shows what was proven.
#include <charconv>

#include "lienthong/audit/audit_chain.hpp"

namespace lienthong::audit {
namespace {

class FieldReader {
 public:
  explicit FieldReader(std::string_view text) : rest_(text) {}

  bool tag(std::string_view expected) {
    if (!rest_.starts_with(expected))
      return false;
    rest_.remove_prefix(expected.size());
    return true;
  }
  std::optional<std::string> field() {
    const auto colon = rest_.find(':');
    std::size_t length = 0;
    if (colon == std::string_view::npos || colon == 0 || colon > 10)
      return std::nullopt;
    const auto [end, error] = std::from_chars(rest_.data(), rest_.data() + colon, length);
    if (error != std::errc() || end != rest_.data() + colon || rest_.size() - colon - 1 < length)
      return std::nullopt;
    std::string value(rest_.substr(colon + 1, length));
    rest_.remove_prefix(colon + 1 + length);
    return value;
  }
  template <typename Number>
  bool number(Number& out) {
    const auto text = field();
    if (!text || text->empty())
      return false;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), out);
    return error == std::errc() && end == text->data() + text->size();
  }
  bool time(std::optional<TimePoint>& out) {
    if (rest_.starts_with('~')) {
      rest_.remove_prefix(1);
      out.reset();
      return true;
    }
    std::int64_t micros = 0;
    if (!number(micros) || !is_time_point_micros(micros))
      return false;
    out = from_micros(micros);
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace

std::optional<std::pair<std::int64_t, AuditRecord>> decode_canonical_encoding(
    std::string_view encoding) {
  FieldReader in(encoding);
  const bool federated = in.tag("lienthong-audit-v2");
  if (!federated && !in.tag("lienthong-audit-v1"))
    return std::nullopt;
  std::int64_t seq = 0;
  AuditRecord r;
  if (!in.number(seq))
    return std::nullopt;
  for (std::string* text : {&r.node, &r.message_id, &r.request_id, &r.correlation_id, &r.consumer,
                            &r.provider, &r.service, &r.service_version, &r.method, &r.path,
                            &r.user_id, &r.purpose, &r.client_address, &r.client_fingerprint}) {
    auto value = in.field();
    if (!value)
      return std::nullopt;
    *text = std::move(*value);
  }
  if (!in.number(r.status))
    return std::nullopt;
  auto error_code = in.field();
  if (!error_code || !in.number(r.request_bytes) || !in.number(r.response_bytes))
    return std::nullopt;
  r.error_code = std::move(*error_code);
  auto request_sha256 = in.field();
  auto response_sha256 = in.field();
  if (!request_sha256 || !response_sha256)
    return std::nullopt;
  r.request_sha256 = std::move(*request_sha256);
  r.response_sha256 = std::move(*response_sha256);
  std::optional<TimePoint> received_at, responded_at;
  if (!in.time(received_at) || !received_at || !in.time(r.provider_called_at) ||
      !in.time(r.provider_answered_at) || !in.time(responded_at) || !responded_at)
    return std::nullopt;
  r.received_at = *received_at;
  r.responded_at = *responded_at;
  if (federated) {
    for (std::string* text : peer_fields(r)) {
      auto value = in.field();
      if (!value)
        return std::nullopt;
      *text = std::move(*value);
    }
  }
  // Only the one way of writing a record is accepted: no trailing bytes,
  // no leading zeros, no v2 tag on a record that crossed no peer.
  if (!in.done() || canonical_encoding(seq, r) != encoding)
    return std::nullopt;
  return std::make_pair(seq, std::move(r));
}

}  // namespace lienthong::audit

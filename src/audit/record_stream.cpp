#include "record_stream.hpp"

#include <optional>
#include <tuple>

#include <pqxx/pqxx>

#include "lienthong/core/digest.hpp"
#include "lienthong/core/timestamp.hpp"

namespace lienthong::audit {
namespace {

// NULL for empty optional text, so "unknown" and "" are not confused in queries.
const char* nullable(const std::string& text) {
  return text.empty() ? nullptr : text.c_str();
}

// A kept body in bytea's hex input form ("\\x4142"), empty when not kept.
std::string bytea_hex(const std::optional<std::string>& body) {
  return body ? "\\x" + to_hex(*body) : std::string();
}

}  // namespace

const std::vector<std::string>& record_row_columns() {
  static const std::vector<std::string> kColumns{"node",
                                                 "message_id",
                                                 "request_id",
                                                 "correlation_id",
                                                 "consumer",
                                                 "provider",
                                                 "service",
                                                 "service_version",
                                                 "method",
                                                 "path",
                                                 "user_id",
                                                 "purpose",
                                                 "client_address",
                                                 "client_fingerprint",
                                                 "status",
                                                 "error_code",
                                                 "request_bytes",
                                                 "response_bytes",
                                                 "request_sha256",
                                                 "response_sha256",
                                                 "received_at",
                                                 "provider_called_at",
                                                 "provider_answered_at",
                                                 "responded_at",
                                                 "committed_at",
                                                 "seq",
                                                 "record_hash",
                                                 "request_body",
                                                 "response_body"};
  return kColumns;
}

void write_record_row(pqxx::stream_to& stream, const AuditRecord& r, std::int64_t seq,
                      const std::string& record_hash, const std::string& committed_at) {
  const std::string request_body = bytea_hex(r.request_body);
  const std::string response_body = bytea_hex(r.response_body);
  const auto optional_time = [](const std::optional<TimePoint>& t) {
    return t ? to_rfc3339(*t) : std::string();
  };
  const std::string called = optional_time(r.provider_called_at);
  const std::string answered = optional_time(r.provider_answered_at);
  stream << std::make_tuple(
      r.node.c_str(), nullable(r.message_id), r.request_id.c_str(), nullable(r.correlation_id),
      nullable(r.consumer), nullable(r.provider), nullable(r.service), nullable(r.service_version),
      r.method.c_str(), r.path.c_str(), nullable(r.user_id), nullable(r.purpose),
      nullable(r.client_address), nullable(r.client_fingerprint), r.status, nullable(r.error_code),
      r.request_bytes, r.response_bytes, r.request_sha256.c_str(), r.response_sha256.c_str(),
      to_rfc3339(r.received_at), nullable(called), nullable(answered), to_rfc3339(r.responded_at),
      committed_at.c_str(), seq, record_hash.c_str(),
      r.request_body ? request_body.c_str() : nullptr,
      r.response_body ? response_body.c_str() : nullptr);
}

}  // namespace lienthong::audit

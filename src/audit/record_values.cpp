#include "record_values.hpp"

#include <optional>

#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/timestamp.hpp"

namespace lienthong::audit {
namespace {

// Builds one VALUES list, escaping through the connection.
class Row {
 public:
  Row(std::string& sql, pqxx::connection_base& connection) : sql_(sql), connection_(connection) {}

  void text(const std::string& value) {
    separate();
    sql_ += '\'';
    sql_ += connection_.esc(value);
    sql_ += '\'';
  }
  // NULL for empty optional text, so "unknown" and "" are not confused in queries.
  void nullable(const std::string& value) {
    if (value.empty())
      null();
    else
      text(value);
  }
  void number(std::int64_t value) {
    separate();
    sql_ += std::to_string(value);
  }
  void time(const std::optional<TimePoint>& value) {
    if (value)
      text(to_rfc3339(*value));
    else
      null();
  }
  // A kept body in bytea's hex input form ('\x4142'); NULL when not kept.
  void body(const std::optional<std::string>& value) {
    if (value)
      text("\\x" + to_hex(*value));
    else
      null();
  }
  void null() {
    separate();
    sql_ += "NULL";
  }

 private:
  void separate() {
    if (!empty_)
      sql_ += ',';
    empty_ = false;
  }
  std::string& sql_;
  pqxx::connection_base& connection_;
  bool empty_ = true;
};

}  // namespace

const std::string& record_insert_prefix() {
  static const std::string prefix =
      "INSERT INTO audit_records (node, message_id, request_id, correlation_id, consumer, "
      "provider, service, service_version, method, path, user_id, purpose, client_address, "
      "client_fingerprint, status, error_code, request_bytes, response_bytes, request_sha256, "
      "response_sha256, received_at, provider_called_at, provider_answered_at, responded_at, "
      "committed_at, seq, record_hash, request_body, response_body, upstream_instance, "
      "upstream_assertion, downstream_instance, downstream_assertion, downstream_request_id, "
      "downstream_record_hash, bodies_key) VALUES ";
  return prefix;
}

void append_record_values(std::string& sql, pqxx::connection_base& connection, const AuditRecord& r,
                          std::int64_t seq, const std::string& record_hash,
                          const std::string& committed_at, bool first) {
  sql += first ? "(" : ",(";
  Row row(sql, connection);
  row.text(r.node);
  row.nullable(r.message_id);
  row.text(r.request_id);
  row.nullable(r.correlation_id);
  row.nullable(r.consumer);
  row.nullable(r.provider);
  row.nullable(r.service);
  row.nullable(r.service_version);
  row.text(r.method);
  row.text(r.path);
  row.nullable(r.user_id);
  row.nullable(r.purpose);
  row.nullable(r.client_address);
  row.nullable(r.client_fingerprint);
  row.number(r.status);
  row.nullable(r.error_code);
  row.number(r.request_bytes);
  row.number(r.response_bytes);
  row.text(r.request_sha256);
  row.text(r.response_sha256);
  row.time(r.received_at);
  row.time(r.provider_called_at);
  row.time(r.provider_answered_at);
  row.time(r.responded_at);
  row.text(committed_at);
  row.number(seq);
  row.text(record_hash);
  row.body(r.request_body);
  row.body(r.response_body);
  for (const std::string* text : peer_fields(r))
    row.nullable(*text);
  if (r.bodies_key)
    row.number(*r.bodies_key);
  else
    row.null();
  sql += ')';
}

}  // namespace lienthong::audit

#include "record_rows.hpp"

#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"

namespace lienthong::audit {
namespace {

std::string text(const pqxx::field& field) {
  return field.is_null() ? std::string() : field.as<std::string>();
}

}  // namespace

SealedRecords sealed_records(const pqxx::field& from_seq, const pqxx::field& root) {
  if (from_seq.is_null() || root.is_null())
    return {};
  return {from_seq.as<std::int64_t>(), root.as<std::string>()};
}

std::string micros_column(const std::string& column) {
  // extract() is numeric, so the microseconds are exact.
  return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
}

const std::string& record_columns() {
  static const std::string columns =
      "id, seq, record_hash, node, message_id, request_id, correlation_id, consumer, provider, "
      "service, service_version, method, path, user_id, purpose, client_address, "
      "client_fingerprint, status, error_code, request_bytes, response_bytes, request_sha256, "
      "response_sha256, " +
      micros_column("received_at") + ", " + micros_column("provider_called_at") + ", " +
      micros_column("provider_answered_at") + ", " + micros_column("responded_at") +
      ", upstream_instance, upstream_assertion, downstream_instance, downstream_assertion, "
      "downstream_request_id, downstream_record_hash, bodies_key" +
      // A kept body is covered by the chain through its SHA-256. A sealed
      // one is checked where it is opened (body_keys.hpp): its GCM tag binds
      // it to the record, and the opened bytes to the record's SHA-256.
      ", bodies_key IS NOT NULL OR ((request_body IS NULL OR encode(sha256(request_body), "
      "'hex') = request_sha256) AND (response_body IS NULL OR encode(sha256(response_body), "
      "'hex') = response_sha256))";
  return columns;
}

AuditRecord record_from_row(const pqxx::row& row) {
  AuditRecord r;
  int i = 3;
  for (std::string* field : {&r.node, &r.message_id, &r.request_id, &r.correlation_id, &r.consumer,
                             &r.provider, &r.service, &r.service_version, &r.method, &r.path,
                             &r.user_id, &r.purpose, &r.client_address, &r.client_fingerprint}) {
    *field = text(row[i++]);
  }
  r.status = row[17].as<int>();
  r.error_code = text(row[18]);
  r.request_bytes = row[19].as<std::int64_t>();
  r.response_bytes = row[20].as<std::int64_t>();
  r.request_sha256 = text(row[21]);
  r.response_sha256 = text(row[22]);
  r.received_at = from_micros(row[23].as<std::int64_t>());
  if (!row[24].is_null())
    r.provider_called_at = from_micros(row[24].as<std::int64_t>());
  if (!row[25].is_null())
    r.provider_answered_at = from_micros(row[25].as<std::int64_t>());
  r.responded_at = from_micros(row[26].as<std::int64_t>());
  i = 27;
  for (std::string* field : peer_fields(r))
    *field = text(row[i++]);
  if (!row[i].is_null())
    r.bodies_key = row[i].as<std::int64_t>();
  return r;
}

const std::string& admin_change_columns() {
  static const std::string columns =
      "id, seq, record_hash, " + micros_column("at") +
      ", actor, actor_role, action, entity, entity_id, member_ids::text, before::text, "
      "after::text";
  return columns;
}

AdminChange admin_change_from_row(const pqxx::row& row) {
  const auto optional = [](const pqxx::field& field) -> std::optional<std::string> {
    if (field.is_null())
      return std::nullopt;
    return field.as<std::string>();
  };
  AdminChange c;
  c.id = row[0].as<std::int64_t>();
  c.seq = row[1].as<std::int64_t>();
  c.at_micros = row[3].as<std::int64_t>();
  c.actor = text(row[4]);
  c.actor_role = text(row[5]);
  c.action = text(row[6]);
  c.entity = text(row[7]);
  c.entity_id = row[8].as<std::int64_t>();
  c.member_ids = text(row[9]);
  c.before = optional(row[10]);
  c.after = optional(row[11]);
  return c;
}

const std::string& audit_read_columns() {
  static const std::string columns =
      "id, seq, record_hash, " + micros_column("at") +
      ", actor, actor_role, scope::text, endpoint, filter, record_ids::text, returned, "
      "member_ids::text";
  return columns;
}

AuditRead audit_read_from_row(const pqxx::row& row) {
  AuditRead r;
  r.id = row[0].as<std::int64_t>();
  r.seq = row[1].as<std::int64_t>();
  r.at_micros = row[3].as<std::int64_t>();
  r.actor = text(row[4]);
  r.actor_role = text(row[5]);
  if (!row[6].is_null())
    r.scope = row[6].as<std::string>();
  r.endpoint = text(row[7]);
  r.filter = text(row[8]);
  r.record_ids = text(row[9]);
  r.returned = row[10].as<std::int64_t>();
  r.member_ids = text(row[11]);
  return r;
}

std::map<std::int64_t, Checkpoint> load_checkpoints(pqxx::transaction_base& tx,
                                                    const std::string& node, std::int64_t from,
                                                    std::int64_t to) {
  std::map<std::int64_t, Checkpoint> checkpoints;
  for (const auto& row : tx.exec_params(
           "SELECT id, seq, record_hash, " + micros_column("signed_at") +
               ", key_id, signature, from_seq, records_root FROM audit_checkpoints WHERE node = "
               "$1 AND seq >= $2 "
               "AND seq <= $3 ORDER BY seq",
           node, from, to)) {
    Checkpoint c{row[0].as<std::int64_t>(),     row[1].as<std::int64_t>(), row[2].as<std::string>(),
                 row[3].as<std::int64_t>(),     row[4].as<std::string>(),  row[5].as<std::string>(),
                 sealed_records(row[6], row[7])};
    checkpoints.emplace(c.seq, std::move(c));
  }
  return checkpoints;
}

std::map<std::string, std::string> load_signing_keys(pqxx::transaction_base& tx,
                                                     const std::string& node) {
  std::map<std::string, std::string> keys;
  for (const auto& row :
       tx.exec_params("SELECT key_id, public_key FROM audit_signing_keys WHERE node = $1", node))
    keys.emplace(row[0].as<std::string>(), row[1].as<std::string>());
  return keys;
}

std::optional<std::pair<std::int64_t, std::string>> archived_end(pqxx::transaction_base& tx,
                                                                 const std::string& node) {
  const auto last = tx.exec_params(
      "SELECT last_seq, last_hash FROM audit_archives WHERE node = $1 "
      "ORDER BY last_seq DESC LIMIT 1",
      node);
  if (last.empty())
    return std::nullopt;
  return std::pair{last[0][0].as<std::int64_t>(), last[0][1].as<std::string>()};
}

}  // namespace lienthong::audit

#pragma once
// Private to audit/: how the writer lays chained records out as one
// INSERT into audit_records, so that a batch travels to PostgreSQL with its
// transaction in a single round trip (audit_writer.cpp says why).

#include <cstdint>
#include <string>

#include "lienthong/audit/audit_record.hpp"

namespace pqxx {
class connection_base;
}  // namespace pqxx

namespace lienthong::audit {

// "INSERT INTO audit_records (<columns>) VALUES ": the start of a batch's
// statement, to which append_record_values() adds one row per record.
const std::string& record_insert_prefix();

// Appends `record`'s row, with its place in the chain (seq, record_hash) and
// the batch's commit time, as a parenthesised VALUES list; `first` leaves
// out the separating comma. Text is escaped by `connection`, which knows the
// server's quoting rules.
void append_record_values(std::string& sql, pqxx::connection_base& connection,
                          const AuditRecord& record, std::int64_t seq,
                          const std::string& record_hash, const std::string& committed_at,
                          bool first);

}  // namespace lienthong::audit

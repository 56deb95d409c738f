#pragma once
// Reading chained audit records and admin changes back from PostgreSQL,
// exactly as they were hashed: shared by the verifier and the archiver.

#include <string>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_record.hpp"

namespace pqxx {
class row;
}

namespace lienthong::audit {

// A time column as PostgreSQL stores it, in exact microseconds.
std::string micros_column(const std::string& column);

// The select list record_from_row() reads: id, seq, record_hash, the hashed
// fields, then whether kept bodies match their SHA-256. Callers may append
// columns after kRecordColumnCount.
const std::string& record_columns();
inline constexpr int kRecordColumnCount = 28;
inline constexpr int kBodiesMatchColumn = 27;  // kept bodies hash to their SHA-256

AuditRecord record_from_row(const pqxx::row& row);

// The same for admin changes: id, seq, record_hash, then the encoded fields.
const std::string& admin_change_columns();
AdminChange admin_change_from_row(const pqxx::row& row);

}  // namespace lienthong::audit

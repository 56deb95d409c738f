#pragma once
// Private to audit/: how the writer lays a chained record out as a row of
// audit_records for COPY (pqxx::stream_to).

#include <cstdint>
#include <string>
#include <vector>

#include "lienthong/audit/audit_record.hpp"

namespace pqxx {
class stream_to;
}  // namespace pqxx

namespace lienthong::audit {

// The columns write_record_row() fills, in order.
const std::vector<std::string>& record_row_columns();

// Writes `record` with its place in the chain (seq, record_hash) and the
// batch's commit time.
void write_record_row(pqxx::stream_to& stream, const AuditRecord& record, std::int64_t seq,
                      const std::string& record_hash, const std::string& committed_at);

}  // namespace lienthong::audit

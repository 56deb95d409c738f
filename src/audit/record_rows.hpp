#pragma once
// Reading chained audit records and admin changes back from PostgreSQL,
// exactly as they were hashed: shared by the verifier and the archiver.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_record.hpp"

#include "chain_check.hpp"

namespace pqxx {
class field;
class row;
class transaction_base;
}  // namespace pqxx

namespace lienthong::audit {

// The from_seq and records_root columns of a checkpoint (empty for v1).
SealedRecords sealed_records(const pqxx::field& from_seq, const pqxx::field& root);

// A chain's checkpoints with seq in [from, to], by seq.
std::map<std::int64_t, Checkpoint> load_checkpoints(
    pqxx::transaction_base& tx, const std::string& node, std::int64_t from = 0,
    std::int64_t to = std::numeric_limits<std::int64_t>::max());
// A chain's registered public keys: key id -> PEM.
std::map<std::string, std::string> load_signing_keys(pqxx::transaction_base& tx,
                                                     const std::string& node);
// The last archived record of a chain (seq, link), when any was archived.
std::optional<std::pair<std::int64_t, std::string>> archived_end(pqxx::transaction_base& tx,
                                                                 const std::string& node);

// A time column as PostgreSQL stores it, in exact microseconds.
std::string micros_column(const std::string& column);

// The select list record_from_row() reads: id, seq, record_hash, the hashed
// fields (the peer fields last), the data key of sealed bodies, then whether
// kept bodies match their SHA-256. Callers may append columns after
// kRecordColumnCount.
const std::string& record_columns();
inline constexpr int kRecordColumnCount = 35;
inline constexpr int kBodiesMatchColumn = 34;  // kept bodies hash to their SHA-256

AuditRecord record_from_row(const pqxx::row& row);

// The same for admin changes: id, seq, record_hash, then the encoded fields.
const std::string& admin_change_columns();
AdminChange admin_change_from_row(const pqxx::row& row);

// The same for audited reads.
const std::string& audit_read_columns();
AuditRead audit_read_from_row(const pqxx::row& row);

}  // namespace lienthong::audit

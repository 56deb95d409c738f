#pragma once
// Audited reads (issue 24): every read of exchange records, bodies, exports
// and evidence through the auditor API leaves a row in audit_reads, the
// 'audit-reads' chain (migration 0017), written on the primary in the
// request's transaction, which commits before the answer is sent. Reading
// the read log itself is not recorded (it holds no exchange).

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lienthong/admin/actor.hpp"
#include "lienthong/core/result.hpp"

#include "registry/resource_store.hpp"

namespace pqxx {
class dbtransaction;
}

namespace lienthong::admin {

// A read that returned `record_ids` (a page, one record, its evidence).
void record_read(pqxx::dbtransaction& primary, const Actor& actor, const std::string& endpoint,
                 const Query& filter, const std::vector<std::int64_t>& record_ids);

// An export: `selection` is the query of its documents, counted (and its
// members found) on `reads`, the side the export streams from.
void record_export(pqxx::dbtransaction& primary, pqxx::dbtransaction& reads, const Actor& actor,
                   const Query& filter, const std::string& selection);

// GET /audit/v1/reads?from=&to= (+ limit, after): the reads in the window,
// oldest first, keyset pages. A member's auditor sees the reads of its
// member's exchanges and those its own tokens made.
Result<nlohmann::json> list_reads(pqxx::dbtransaction& tx, const Actor& actor, const Query& query);

}  // namespace lienthong::admin

#pragma once
// The auditor API's handlers (/audit/v1/...): read-only, scoped to what the
// caller's token may see (auditor/audit_queries.hpp).

#include "route_call.hpp"

namespace lienthong::admin {

Result<net::HttpResponse> list_exchanges(const RouteCall& route);
Result<net::HttpResponse> get_exchange(const RouteCall& route);
// GET /audit/v1/reads: who read which exchange records (auditor/read_log.hpp).
Result<net::HttpResponse> list_read_log(const RouteCall& route);
Result<net::HttpResponse> exchange_stats(const RouteCall& route);
Result<net::HttpResponse> connectivity(const RouteCall& route);
Result<net::HttpResponse> verify_log(const RouteCall& route);
// POST /audit/v1/verify: the same, whole chains held to the heads in the body.
Result<net::HttpResponse> verify_log_against_heads(const RouteCall& route);
// GET /audit/v1/exchanges/{id}/evidence: the record's evidence file
// (evidence/exchange_evidence.hpp), within the caller's scope.
Result<net::HttpResponse> exchange_evidence(const RouteCall& route);
// The selected records as NDJSON or CSV, streamed from their own connection.
Result<net::HttpResponse> export_exchanges(const RouteCall& route);

}  // namespace lienthong::admin

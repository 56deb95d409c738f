#include "auditor/audit_routes.hpp"

#include "lienthong/audit/record_proof.hpp"
#include "lienthong/evidence/exchange_evidence.hpp"

#include "auditor/audit_export.hpp"
#include "auditor/audit_queries.hpp"
#include "auditor/body_opening.hpp"
#include "auditor/read_log.hpp"

namespace lienthong::admin {
namespace {

using net::HttpResponse;
using nlohmann::json;

// Opens the caller's scoped view of the log and answers with what `read` finds there.
template <class Read>
Result<HttpResponse> answer(const RouteCall& route, Read read) {
  auto queries = AuditQueries::open(route.tx, route.actor);
  if (!queries.has_value())
    return std::move(queries).error();
  Result<json> found = read(queries.value());
  if (!found.has_value())
    return std::move(found).error();
  return json_response(200, found.value());
}

// The ids of a page's records.
std::vector<std::int64_t> ids_of(const json& items) {
  std::vector<std::int64_t> ids;
  for (const auto& item : items)
    ids.push_back(item.at("id").get<std::int64_t>());
  return ids;
}

}  // namespace

Result<HttpResponse> list_exchanges(const RouteCall& route) {
  return answer(route, [&](AuditQueries& queries) {
    auto page = queries.list(route.call.query);
    if (page.has_value()) {
      audit::BodyOpener opener(route.options.body_wrapper, route.tx);
      for (auto& item : page.value()["items"])
        open_record_bodies(opener, item);
      record_read(route.primary, route.actor, "GET /audit/v1/exchanges", route.call.query,
                  ids_of(page.value()["items"]));
    }
    return page;
  });
}

Result<HttpResponse> get_exchange(const RouteCall& route) {
  return answer(route, [&](AuditQueries& queries) {
    auto record = queries.get(*route.call.id);
    if (record.has_value()) {
      audit::BodyOpener opener(route.options.body_wrapper, route.tx);
      open_record_bodies(opener, record.value());
      record_read(route.primary, route.actor, "GET /audit/v1/exchanges/{id}", route.call.query,
                  {*route.call.id});
    }
    return record;
  });
}

Result<HttpResponse> list_read_log(const RouteCall& route) {
  // Member admins never get here: the route is for auditors and the hub admin.
  auto page = list_reads(route.tx, route.actor, route.call.query);
  if (!page.has_value())
    return std::move(page).error();
  return json_response(200, page.value());
}

Result<HttpResponse> exchange_evidence(const RouteCall& route) {
  auto queries = AuditQueries::open(route.tx, route.actor);
  if (!queries.has_value())
    return std::move(queries).error();
  // Outside the caller's scope it does not exist.
  if (auto visible = queries.value().get(*route.call.id); !visible.has_value())
    return std::move(visible).error();
  if (!route.options.audit_timestamp_trust)
    return make_error(ErrorCode::kClientConflict,
                      "this hub takes no trusted timestamps (audit.timestamp_url), so it has no "
                      "evidence a third party can check");
  audit::BodyOpener opener(route.options.body_wrapper, route.tx);
  auto proof = audit::load_record_proof(route.tx, *route.call.id, &opener);
  if (!proof.has_value())
    return std::move(proof).error();
  record_read(route.primary, route.actor, "GET /audit/v1/exchanges/{id}/evidence", route.call.query,
              {*route.call.id});
  HttpResponse response;
  response.status = 200;
  response.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  response.headers.push_back(
      {"Content-Disposition",
       "attachment; filename=\"exchange-" + std::to_string(*route.call.id) + ".evidence\""});
  response.body =
      evidence::write_evidence(proof.value(), route.options.audit_timestamp_trust->pem());
  return response;
}

Result<HttpResponse> exchange_stats(const RouteCall& route) {
  return answer(route, [&](AuditQueries& queries) { return queries.stats(route.call.query); });
}

Result<HttpResponse> connectivity(const RouteCall& route) {
  // Whole days are rolled up on the primary (a replica cannot write); the
  // read then takes what its snapshot has rolled up and counts the rest live.
  if (auto rolled = AuditQueries::roll_up_traffic(route.primary, route.call.query);
      !rolled.has_value())
    return std::move(rolled).error();
  return answer(route,
                [&](AuditQueries& queries) { return queries.connectivity(route.call.query); });
}

Result<HttpResponse> verify_log(const RouteCall& route) {
  return answer(route, [&](AuditQueries& queries) {
    return queries.verify(route.call.query, route.options.audit_witness_dir,
                          route.options.audit_timestamp_trust);
  });
}

Result<HttpResponse> verify_log_against_heads(const RouteCall& route) {
  return answer(route, [&](AuditQueries& queries) {
    return queries.verify(route.call.query, route.options.audit_witness_dir,
                          route.options.audit_timestamp_trust, &route.call.body);
  });
}

Result<HttpResponse> export_exchanges(const RouteCall& route) {
  const Query& query = route.call.query;
  const auto format = query.contains("format") ? query.at("format") : "ndjson";
  if (format != "ndjson" && format != "csv")
    return make_error(ErrorCode::kClientInvalidInput, "format is ndjson or csv");
  if (!route.options.workers)
    return make_error(ErrorCode::kServerInternal, "exports need the admin worker pool");
  auto queries = AuditQueries::open(route.tx, route.actor);
  if (!queries.has_value())
    return std::move(queries).error();
  auto sql = queries.value().export_query(query);
  if (!sql.has_value())
    return std::move(sql).error();
  record_export(route.primary, route.tx, route.actor, query, sql.value());
  HttpResponse response;
  response.headers.push_back(
      {"Content-Type", format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson"});
  response.headers.push_back(
      {"Content-Disposition", "attachment; filename=\"audit-export." + format + "\""});
  const auto& url = route.options.audit_read_url.empty() ? route.options.database_url
                                                         : route.options.audit_read_url;
  response.stream = make_audit_export(url, std::move(sql).value(),
                                      format == "csv" ? ExportFormat::kCsv : ExportFormat::kNdjson,
                                      route.options.workers, route.options.body_wrapper);
  return response;
}

}  // namespace lienthong::admin

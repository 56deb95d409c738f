#include "auditor/audit_queries.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_verifier.hpp"
#include "lienthong/audit/audit_witness.hpp"
#include "lienthong/audit/heads_document.hpp"
#include "lienthong/core/timestamp.hpp"

#include "query_values.hpp"

namespace lienthong::admin {

using nlohmann::json;

namespace {

// Filters that compare one column for equality, by query parameter name.
constexpr std::pair<const char*, const char*> kExactFilters[] = {
    {"consumer", "consumer"},    {"provider", "provider"}, {"service", "service"},
    {"user_id", "user_id"},      {"purpose", "purpose"},   {"message_id", "message_id"},
    {"error_code", "error_code"}};

const char* exact_column(const std::string& name) {
  for (const auto& [parameter, column] : kExactFilters) {
    if (name == parameter)
      return column;
  }
  return nullptr;
}

}  // namespace

AuditQueries::AuditQueries(pqxx::dbtransaction& tx, std::string scope, std::string member_prefix)
    : tx_(tx), scope_(std::move(scope)), member_prefix_(std::move(member_prefix)) {}

Result<AuditQueries> AuditQueries::open(pqxx::dbtransaction& tx, const Actor& actor) {
  if (actor.role == Role::kMemberAdmin) {
    return make_error(ErrorCode::kClientForbidden,
                      "the audit log is read with an auditor token (or the hub admin's)");
  }
  const auto scope = actor.member_scope();
  if (!scope)
    return AuditQueries(tx, "true");
  // A member's systems are named INSTANCE/CLASS/MEMBER/SYSTEM.
  const auto prefix = tx.exec_params1(
      "SELECT instance || '/' || member_class || '/' || member_code || '/' FROM members "
      "WHERE id = $1",
      *scope)[0];
  const std::string quoted = tx.quote(prefix.as<std::string>());
  return AuditQueries(
      tx, "(starts_with(consumer, " + quoted + ") OR starts_with(provider, " + quoted + "))",
      prefix.as<std::string>());
}

Result<std::string> AuditQueries::conditions(const Query& query,
                                             const std::vector<std::string>& extra) {
  std::vector<FieldError> errors;
  std::string where = scope_;
  for (const char* required : {"from", "to"}) {
    if (!query.contains(required))
      errors.push_back({required, "required: an RFC 3339 time or a date"});
  }
  for (const auto& [name, value] : query) {
    const auto number = parse_id(value);
    if (name == "from" || name == "to") {
      const auto time = parse_rfc3339(value);
      if (!time) {
        errors.push_back({name, "an RFC 3339 time (2026-11-27T08:00:00+07:00) or a date"});
        continue;
      }
      where += std::string(" AND received_at ") + (name == "from" ? ">= " : "< ") +
               tx_.quote(to_rfc3339(*time));
    } else if (const char* column = exact_column(name)) {
      where += std::string(" AND ") + column + " = " + tx_.quote(value);
    } else if (name == "status" && number && *number >= 100 && *number <= 599) {
      where += " AND status = " + std::to_string(*number);
    } else if (name == "outcome" && (value == "accepted" || value == "refused")) {
      where += value == "accepted" ? " AND error_code IS NULL" : " AND error_code IS NOT NULL";
    } else if (std::find(extra.begin(), extra.end(), name) == extra.end()) {
      errors.push_back({name, "unknown or invalid query parameter"});
    }
  }
  if (!errors.empty())
    return invalid(std::move(errors));
  return where;
}

Result<json> AuditQueries::list(const Query& query) {
  auto where = conditions(query, {"limit", "after"});
  if (!where.has_value())
    return std::move(where).error();
  std::string condition = std::move(where).value();
  int limit = kDefaultPageSize;
  std::vector<FieldError> errors;
  if (const auto it = query.find("limit"); it != query.end()) {
    const auto number = parse_id(it->second);
    if (number && *number >= 1 && *number <= kMaxPageSize)
      limit = static_cast<int>(*number);
    else
      errors.push_back({"limit", "1 to " + std::to_string(kMaxPageSize)});
  }
  if (const auto it = query.find("after"); it != query.end()) {
    if (const auto number = parse_id(it->second))
      condition += " AND id > " + std::to_string(*number);
    else
      errors.push_back({"after", "the next_after of the previous page"});
  }
  if (!errors.empty())
    return invalid(std::move(errors));
  // Any filter but a message id can match thousands of records a day: take
  // the page's ids first (from the filter indexes alone), then build the
  // documents of just those. A message id matches a handful, and one plain
  // query is quicker to plan across the monthly partitions.
  const std::string page = " ORDER BY id LIMIT " + std::to_string(limit + 1);
  const auto rows =
      query.contains("message_id")
          ? tx_.exec("SELECT id, doc FROM api_audit_records WHERE " + condition + page)
          : tx_.exec(
                "SELECT id, doc FROM api_audit_records WHERE id IN (SELECT id FROM "
                "audit_records WHERE " +
                condition + page + ") ORDER BY id");
  return keyset_page(rows, limit);
}

Result<json> AuditQueries::stats(const Query& query) {
  auto where = conditions(query, {"bucket"});
  if (!where.has_value())
    return std::move(where).error();
  const auto bucket = query.contains("bucket") ? query.at("bucket") : std::string("day");
  if (bucket != "day" && bucket != "hour")
    return invalid({{"bucket", "day or hour"}});
  // Latency is the whole exchange as the caller saw it: received to responded.
  const auto rows = tx_.exec(
      "SELECT jsonb_build_object('bucket', to_char(bucket, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
      "'consumer', consumer, 'provider', provider, 'exchanges', count(*), "
      "'refused', count(*) FILTER (WHERE error_code IS NOT NULL), "
      "'error_rate', round(avg((error_code IS NOT NULL)::int), 4), "
      "'latency_ms', jsonb_build_object("
      "'p50', round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3), "
      "'p95', round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 3), "
      "'p99', round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 3)))::text "
      "FROM (SELECT date_trunc(" +
      tx_.quote(bucket) +
      ", received_at AT TIME ZONE 'UTC') AS bucket, "
      "consumer, provider, error_code, "
      "extract(epoch FROM responded_at - received_at) * 1000 AS ms "
      "FROM audit_records WHERE " +
      where.value() +
      ") r "
      "GROUP BY bucket, consumer, provider ORDER BY bucket, consumer, provider LIMIT 10000");
  json items = json::array();
  for (const auto& row : rows)
    items.push_back(json::parse(row[0].as<std::string>()));
  return json{{"bucket", bucket}, {"items", std::move(items)}};
}

namespace {

// GET /audit/v1/connectivity?days=N: 1 to 366, 30 when absent.
Result<int> connectivity_days(const Query& query) {
  int days = 30;
  for (const auto& [name, value] : query) {
    const auto number = parse_id(value);
    if (name != "days" || !number || *number < 1 || *number > 366) {
      return invalid({{name, name == "days" ? "whole days, 1 to 366" : "not a parameter here"}});
    }
    days = static_cast<int>(*number);
  }
  return days;
}

std::string first_day_sql(int days) {
  return "(now() AT TIME ZONE 'UTC')::date - " + std::to_string(days - 1);
}

}  // namespace

Status AuditQueries::roll_up_traffic(pqxx::dbtransaction& primary, const Query& query) {
  const auto days = connectivity_days(query);
  if (!days.has_value())
    return days.error();
  primary.exec("SELECT lt_roll_up_traffic_days(" + first_day_sql(days.value()) +
               ", (now() AT TIME ZONE 'UTC')::date - 1)");
  return Ok{};
}

Result<json> AuditQueries::connectivity(const Query& query) {
  const auto parsed_days = connectivity_days(query);
  if (!parsed_days.has_value())
    return parsed_days.error();
  const int days = parsed_days.value();
  // Between two systems, as the auditor may see it: anything for an unscoped
  // auditor, else only where the auditor's member is a party.
  const auto party = [&](const std::string& a, const std::string& b) {
    if (member_prefix_.empty())
      return std::string("true");
    const auto prefix = tx_.quote(member_prefix_);
    return "(starts_with(" + a + ", " + prefix + ") OR starts_with(" + b + ", " + prefix + "))";
  };
  // The window is today and the days-1 whole UTC days before it. Days that
  // are over come from the daily roll-up (roll_up_traffic, made on the
  // primary the first time a window reaches them); the rest, today and any
  // day this snapshot has not seen rolled up, is aggregated from the log.
  const std::string first_day = first_day_sql(days);
  const auto window = tx_.exec1(
      "SELECT w.first::text, coalesce((SELECT max(day) + 1 FROM audit_traffic_days_done WHERE "
      "day >= w.first), w.first)::text FROM (SELECT " +
      first_day + " AS first) w");
  const std::string first = tx_.quote(window[0].as<std::string>());
  const std::string live_from = tx_.quote(window[1].as<std::string>());
  // The headline counts every system; the graph shows only what is visible.
  const std::string sql =
      "WITH sys AS (SELECT s.id, s.member_id, m.member_class, s.name, s.status, m.instance || '/' "
      "|| "
      "m.member_class || '/' || m.member_code || '/' || s.system_code AS identifier FROM systems "
      "s JOIN members m ON m.id = s.member_id), "
      "traffic AS (SELECT consumer, provider, sum(exchanges) AS exchanges, sum(refused) AS "
      "refused, sum(succeeded) AS succeeded FROM (SELECT consumer, provider, exchanges, refused, "
      "succeeded FROM audit_traffic_days WHERE day >= " +
      first + "::date AND day < " + live_from +
      "::date UNION ALL SELECT consumer, provider, count(*), count(*) FILTER (WHERE error_code "
      "IS NOT NULL), count(*) FILTER (WHERE error_code IS NULL) FROM audit_records WHERE "
      "received_at >= " +
      live_from +
      "::timestamp AT TIME ZONE 'UTC' AND consumer IS NOT NULL AND provider IS NOT NULL GROUP "
      "BY consumer, provider) AS t GROUP BY consumer, provider), "
      "active AS (SELECT consumer AS identifier FROM traffic WHERE succeeded > 0 UNION SELECT "
      "provider FROM traffic WHERE succeeded > 0), "
      // Pairs of state bodies (ministries, provinces) with an active system,
      // and those of the pairs whose systems exchanged data either way.
      "state AS (SELECT DISTINCT member_id FROM sys WHERE status = 'active' AND member_class IN "
      "('GOV', 'PROV')), "
      "pairs AS (SELECT DISTINCT least(c.member_id, p.member_id), greatest(c.member_id, "
      "p.member_id) FROM traffic t JOIN sys c ON c.identifier = t.consumer JOIN sys p ON "
      "p.identifier = t.provider WHERE t.succeeded > 0 AND c.member_id <> p.member_id AND "
      "c.member_id IN (SELECT member_id FROM state) AND p.member_id IN (SELECT member_id FROM "
      "state)), "
      "agr AS (SELECT a.id, c.identifier AS consumer, p.identifier AS provider, a.service_code, "
      "a.status FROM agreements a JOIN sys c ON c.id = a.consumer_system_id JOIN sys p ON p.id = "
      "a.provider_system_id WHERE " +
      party("c.identifier", "p.identifier") +
      "), "
      "shown AS (SELECT * FROM sys WHERE " +
      party("identifier", "identifier") +
      " OR identifier IN (SELECT consumer FROM agr UNION SELECT provider FROM agr)) "
      "SELECT jsonb_build_object("
      "'days', " +
      std::to_string(days) + ", 'since', " + first +
      ", "
      "'systems_registered', (SELECT count(*) FROM sys WHERE status = 'active'), "
      "'systems_exchanged', (SELECT count(*) FROM sys WHERE status = 'active' AND identifier IN "
      "(SELECT identifier FROM active)), "
      "'member_pairs', jsonb_build_object('members', (SELECT count(*) FROM state), 'possible', "
      "(SELECT count(*) * (count(*) - 1) / 2 FROM state), 'exchanged', (SELECT count(*) FROM "
      "pairs)), "
      "'members', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'identifier', instance "
      "|| '/' || member_class || '/' || member_code, 'name', name) ORDER BY id), '[]') FROM "
      "members WHERE id IN (SELECT member_id FROM shown)), "
      "'systems', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'member_id', member_id, "
      "'identifier', identifier, 'name', name, 'status', status, 'exchanged', identifier IN "
      "(SELECT identifier FROM active)) ORDER BY id), '[]') FROM shown), "
      "'agreements', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'consumer', "
      "consumer, 'provider', provider, 'service_code', service_code, 'status', status) ORDER BY "
      "id), '[]') FROM agr), "
      "'traffic', (SELECT coalesce(jsonb_agg(jsonb_build_object('consumer', consumer, "
      "'provider', provider, 'exchanges', exchanges, 'refused', refused) ORDER BY consumer, "
      "provider), '[]') FROM traffic WHERE " +
      party("consumer", "provider") +
      "), "
      // Across instances (federation.md): traffic between this hub's
      // instance and the others, and each peer hub with its catalogue's
      // freshness and the traffic of its instance's systems both ways.
      "'instances', (SELECT coalesce(jsonb_agg(jsonb_build_object('consumer_instance', ci, "
      "'provider_instance', pi, 'exchanges', ex, 'refused', rf) ORDER BY ci, pi), '[]') FROM "
      "(SELECT split_part(consumer, '/', 1) AS ci, split_part(provider, '/', 1) AS pi, "
      "sum(exchanges) AS ex, sum(refused) AS rf FROM traffic WHERE " +
      party("consumer", "provider") +
      " GROUP BY 1, 2) i), "
      "'peers', (SELECT coalesce(jsonb_agg(jsonb_build_object('instance', p.instance, 'name', "
      "p.name, 'status', p.status, 'catalogue', CASE WHEN c.peer_id IS NULL THEN NULL ELSE "
      "jsonb_build_object('version', c.version, 'expires_at', c.expires_at, 'fresh', "
      "coalesce(c.expires_at > now(), false), 'services', coalesce(jsonb_array_length("
      "c.services), 0), 'attempted_at', c.attempted_at, 'error', c.error) END, "
      "'exchanges_in', (SELECT coalesce(sum(exchanges), 0) FROM traffic WHERE "
      "split_part(consumer, '/', 1) = p.instance), 'exchanges_out', (SELECT "
      "coalesce(sum(exchanges), 0) FROM traffic WHERE split_part(provider, '/', 1) = "
      "p.instance)) ORDER BY p.instance), '[]') FROM peers p LEFT JOIN peer_catalogues c ON "
      "c.peer_id = p.id WHERE " +
      // Peers are the hub's: an auditor of one member sees none.
      (member_prefix_.empty() ? std::string("true") : std::string("false")) + "))::text";
  const auto document = tx_.exec1(sql);
  json answer = json::parse(document[0].as<std::string>());
  const auto registered = answer["systems_registered"].get<double>();
  answer["share"] = registered > 0 ? answer["systems_exchanged"].get<double>() / registered : 0.0;
  auto& pairs = answer["member_pairs"];
  const auto possible = pairs["possible"].get<double>();
  pairs["share"] = possible > 0 ? pairs["exchanged"].get<double>() / possible : 0.0;
  return answer;
}

Result<std::string> AuditQueries::export_query(const Query& query) {
  auto where = conditions(query, {"format"});
  if (!where.has_value())
    return std::move(where).error();
  return "SELECT doc::text FROM api_audit_records WHERE " + where.value() + " ORDER BY id";
}

Result<json> AuditQueries::get(std::int64_t id) {
  const auto rows =
      tx_.exec_params("SELECT doc FROM api_audit_records WHERE id = $1 AND " + scope_, id);
  if (rows.empty())
    return make_error(ErrorCode::kClientNotFound, "no audit record " + std::to_string(id));
  return json::parse(rows[0][0].as<std::string>());
}

Result<json> AuditQueries::verify(const Query& query, const std::string& witness_dir,
                                  std::shared_ptr<const audit::TsaTrust> timestamp_trust,
                                  const json* expected) {
  std::vector<FieldError> errors;
  audit::VerifyOptions options;
  options.timestamp_trust = std::move(timestamp_trust);
  for (const auto& [name, value] : query) {
    if (name == "from" || name == "to") {
      const auto time = parse_rfc3339(value);
      if (!time)
        errors.push_back({name, "an RFC 3339 time or a date"});
      else
        (name == "from" ? options.from : options.to) = time;
    } else if (name == "node") {
      options.node = value;
    } else if (name == "trust") {
      for (std::size_t start = 0; start <= value.size();) {
        const auto comma = std::min(value.find(',', start), value.size());
        if (comma > start)
          options.trusted_key_ids.push_back(value.substr(start, comma - start));
        start = comma + 1;
      }
    } else {
      errors.push_back({name, "unknown query parameter"});
    }
  }
  if (expected) {
    if (options.from || options.to) {
      errors.push_back({"from", "saved heads hold whole chains: leave out from and to"});
    } else {
      try {
        options.expected_heads = audit::heads_from_document(*expected);
      } catch (const std::invalid_argument& e) {
        errors.push_back({"heads", std::string("the body ") + e.what()});
      }
    }
  }
  if (!errors.empty())
    return invalid(std::move(errors));
  json witness = nullptr;
  if (!witness_dir.empty()) {
    audit::WitnessReading reading;
    try {
      reading = audit::read_witnesses(witness_dir, audit::standby_horizon(tx_));
    } catch (const std::runtime_error& e) {
      // Without its witness the log cannot be shown complete: no answer
      // rather than an "ok" that checked less than the operator set up.
      return make_error(ErrorCode::kServerInternal, e.what());
    }
    witness = {{"directory", witness_dir},         {"files", reading.files},
               {"heads", reading.heads.size()},    {"unreadable_lines", reading.unreadable_lines},
               {"too_recent", reading.too_recent}, {"checked", !options.from && !options.to}};
    options.witnessed_heads = std::move(reading.heads);
  }
  json report = audit::report_json(audit::verify_audit_log(tx_, options));
  report["witness"] = std::move(witness);
  report["expected_heads"] = options.expected_heads.size();
  if (!member_prefix_.empty())
    scope_problems(report);
  return report;
}

void AuditQueries::scope_problems(json& report) {
  // Every chain is checked whole, and a member's auditor is told where the
  // log breaks (its own records' integrity hangs on it), but not what:
  // the detail and record id of a problem stay only when the record is one
  // of its member's exchanges.
  for (auto& chain : report["chains"]) {
    auto& problem = chain["problem"];
    if (problem.is_null())
      continue;
    const bool own =
        problem["record_id"].is_number() &&
        !audit::is_linked_chain(chain["node"].get<std::string>()) &&
        tx_.exec_params1(
               "SELECT EXISTS (SELECT 1 FROM api_audit_records WHERE id = $1 AND " + scope_ + ")",
               problem["record_id"].get<std::int64_t>())[0]
            .as<bool>();
    if (own)
      continue;
    problem["record_id"] = nullptr;
    problem["detail"] = "the chain does not verify at this seq (kind " +
                        problem["kind"].get<std::string>() +
                        "); the details concern other members' records: a hub-wide auditor "
                        "sees them";
  }
}

}  // namespace lienthong::admin

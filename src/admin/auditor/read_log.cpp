#include "auditor/read_log.hpp"

#include <pqxx/pqxx>

#include "lienthong/core/timestamp.hpp"

#include "query_values.hpp"

namespace lienthong::admin {
namespace {

// The members whose systems ("INSTANCE/CLASS/MEMBER/SYSTEM") are `column`.
std::string member_of(const std::string& column) {
  return "starts_with(" + column +
         ", m.instance || '/' || m.member_class || '/' || m.member_code || '/')";
}

std::optional<std::string> scope_of(const Actor& actor) {
  if (const auto scope = actor.member_scope())
    return std::to_string(*scope);
  return std::nullopt;
}

std::string id_array(const std::vector<std::int64_t>& ids) {
  std::string text = "{";
  for (std::size_t i = 0; i < ids.size(); ++i)
    text += (i == 0 ? "" : ",") + std::to_string(ids[i]);
  return text + "}";
}

void insert_read(pqxx::dbtransaction& primary, const Actor& actor, const std::string& endpoint,
                 const Query& filter, const std::string& record_ids, std::int64_t returned,
                 const std::string& member_ids) {
  primary.exec_params(
      "INSERT INTO audit_reads (actor, actor_role, scope, endpoint, filter, record_ids, "
      "returned, member_ids) VALUES ($1, $2, $3, $4, $5, $6::bigint[], $7, $8::bigint[])",
      actor.name, std::string(role_name(actor.role)), scope_of(actor), endpoint,
      nlohmann::json(filter).dump(), record_ids, returned, member_ids);
}

}  // namespace

void record_read(pqxx::dbtransaction& primary, const Actor& actor, const std::string& endpoint,
                 const Query& filter, const std::vector<std::int64_t>& record_ids) {
  const std::string ids = id_array(record_ids);
  const auto members = primary.exec_params1(
      "SELECT coalesce(array_agg(DISTINCT m.id ORDER BY m.id), '{}')::text FROM audit_records r "
      "JOIN members m ON " +
          member_of("r.consumer") + " OR " + member_of("r.provider") +
          " WHERE r.id = ANY($1::bigint[])",
      ids);
  insert_read(primary, actor, endpoint, filter, ids, static_cast<std::int64_t>(record_ids.size()),
              members[0].as<std::string>());
}

void record_export(pqxx::dbtransaction& primary, pqxx::dbtransaction& reads, const Actor& actor,
                   const Query& filter, const std::string& selection) {
  const auto found = reads.exec1(
      "SELECT (SELECT count(*) FROM (" + selection +
      ") counted), (SELECT coalesce(array_agg(DISTINCT m.id ORDER BY m.id), '{}')::text FROM "
      "(SELECT DISTINCT doc::json->>'consumer' AS consumer, doc::json->>'provider' AS provider "
      "FROM (" +
      selection + ") selected) pairs JOIN members m ON " + member_of("pairs.consumer") + " OR " +
      member_of("pairs.provider") + ")");
  insert_read(primary, actor, "GET /audit/v1/export", filter, "{}", found[0].as<std::int64_t>(),
              found[1].as<std::string>());
}

Result<nlohmann::json> list_reads(pqxx::dbtransaction& tx, const Actor& actor, const Query& query) {
  std::vector<FieldError> errors;
  std::string condition = "true";
  for (const char* bound : {"from", "to"}) {
    const auto it = query.find(bound);
    const auto time = it == query.end() ? std::nullopt : parse_rfc3339(it->second);
    if (!time)
      errors.push_back({bound, "required: an RFC 3339 time or a date"});
    else
      condition += std::string(" AND at ") + (bound == std::string("from") ? ">=" : "<=") + " " +
                   tx.quote(to_rfc3339(*time));
  }
  int limit = kDefaultPageSize;
  for (const auto& [name, value] : query) {
    if (name == "limit") {
      const auto number = parse_id(value);
      if (number && *number >= 1 && *number <= kMaxPageSize)
        limit = static_cast<int>(*number);
      else
        errors.push_back({"limit", "1 to " + std::to_string(kMaxPageSize)});
    } else if (name == "after") {
      if (const auto number = parse_id(value))
        condition += " AND id > " + std::to_string(*number);
      else
        errors.push_back({"after", "the next_after of the previous page"});
    } else if (name != "from" && name != "to") {
      errors.push_back({name, "unknown query parameter"});
    }
  }
  if (!errors.empty())
    return invalid(std::move(errors));
  if (const auto scope = actor.member_scope())
    condition += " AND (member_ids @> ARRAY[" + std::to_string(*scope) +
                 "::bigint] OR scope = " + std::to_string(*scope) + ")";
  const auto rows = tx.exec(
      "SELECT id, json_build_object('id', id, 'seq', seq, 'record_hash', record_hash, 'at', at, "
      "'actor', actor, 'actor_role', actor_role, 'scope', scope, 'endpoint', endpoint, "
      "'filter', filter::json, 'record_ids', record_ids, 'returned', returned, 'member_ids', "
      "member_ids)::text FROM audit_reads WHERE " +
      condition + " ORDER BY id LIMIT " + std::to_string(limit + 1));
  return keyset_page(rows, limit);
}

}  // namespace lienthong::admin

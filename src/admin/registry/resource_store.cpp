#include "registry/resource_store.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "query_values.hpp"
#include "registry/field_validation.hpp"

namespace lienthong::admin {
namespace {

using nlohmann::json;

// Identifiers are split into their parts so the lookups use the unique
// indexes; comparing a concatenation scanned every row, and a registry file
// of 12,000 clinics took minutes.
std::string member_identifier_sql() {
  return "SELECT id FROM members WHERE instance = split_part($1, '/', 1) AND member_class = "
         "split_part($1, '/', 2) AND member_code = split_part($1, '/', 3) AND "
         "cardinality(string_to_array($1, '/')) = 3";
}
std::string system_identifier_sql() {
  return "SELECT s.id FROM systems s JOIN members m ON m.id = s.member_id "
         "WHERE m.instance = split_part($1, '/', 1) AND m.member_class = split_part($1, '/', 2) "
         "AND m.member_code = split_part($1, '/', 3) AND s.system_code = split_part($1, '/', 4) "
         "AND cardinality(string_to_array($1, '/')) = 4";
}
std::string schema_identifier_sql() {
  return "SELECT id FROM json_schemas WHERE name || '/' || version = $1";
}

// Resolves reference fields ("VN/GOV/000.00.00.G03/DANCU") to row ids in
// `row`, keyed by column; unknown references become field errors.
void resolve_references(pqxx::transaction_base& tx, const ResourceSpec& spec, const json& body,
                        json& row, std::vector<FieldError>& errors) {
  for (const auto& field : spec.fields) {
    if (!body.contains(field.name) || field.column.empty())
      continue;
    const bool already_invalid =
        std::any_of(errors.begin(), errors.end(),
                    [&](const FieldError& e) { return e.pointer == "/" + field.name; });
    if (already_invalid)
      continue;
    const json& value = body[field.name];
    if (value.is_null()) {
      row[field.column] = nullptr;
      continue;
    }
    std::string sql;
    std::string what;
    switch (field.kind) {
      case FieldKind::kMemberRef:
        sql = member_identifier_sql();
        what = "member";
        break;
      case FieldKind::kSystemRef:
        sql = system_identifier_sql();
        what = "system";
        break;
      case FieldKind::kSchemaRef:
        sql = schema_identifier_sql();
        what = "JSON schema";
        break;
      default:
        row[field.column] = value;
        continue;
    }
    const auto text = value.get<std::string>();
    const auto found = tx.exec_params(sql, text);
    if (found.empty()) {
      errors.push_back({"/" + field.name, "no " + what + " " + text});
    } else {
      row[field.column] = found[0][0].as<std::int64_t>();
    }
  }
}

// The member that owns a new row, from the row's owner column.
std::optional<std::int64_t> owner_of_new_row(pqxx::transaction_base& tx, const ResourceSpec& spec,
                                             const json& row) {
  if (!row.contains(spec.owner_column) || row[spec.owner_column].is_null())
    return std::nullopt;
  const auto id = row[spec.owner_column].get<std::int64_t>();
  if (spec.owner_column == "member_id" || spec.owner_column == "id")
    return id;
  const auto found = tx.exec_params("SELECT member_id FROM systems WHERE id = $1", id);
  if (found.empty())
    return std::nullopt;
  return found[0][0].as<std::int64_t>();
}

std::string column_list(const json& row) {
  std::string columns;
  for (const auto& [column, value] : row.items()) {
    (void)value;
    if (!columns.empty())
      columns += ", ";
    columns += column;  // from the spec or prepare_create, never from the caller
  }
  return columns;
}

// Maps a constraint failure PostgreSQL caught (the last line of defence
// behind validate_fields) to a client error that changes nothing.
Error constraint_error(const pqxx::sql_error& e) {
  const std::string state = e.sqlstate();
  if (state == "23505")
    return make_error(ErrorCode::kClientConflict,
                      "an entity with the same identity already exists");
  if (state == "23503")
    return make_error(ErrorCode::kClientConflict,
                      "the change refers to, or is referred to by, another entity");
  if (state == "23514" || state == "23502" || state == "22007" || state == "22008" ||
      state == "22P02" || state == "P0001") {
    std::string message = e.what();
    if (const auto newline = message.find('\n'); newline != std::string::npos)
      message.resize(newline);
    return make_error(ErrorCode::kClientInvalidInput, "rejected by the registry: " + message);
  }
  throw;  // not the caller's fault: let the API answer 500
}

}  // namespace

ResourceStore::ResourceStore(pqxx::dbtransaction& tx, Actor actor)
    : tx_(tx), actor_(std::move(actor)) {}

bool ResourceStore::may_write(const Row& row, Side side) const {
  if (actor_.role == Role::kHubAdmin)
    return true;
  if (actor_.role != Role::kMemberAdmin || !actor_.member_id)
    return false;
  const auto member = actor_.member_id;
  switch (side) {
    case Side::kOwner:
      return row.owner == member;
    case Side::kProvider:
      return row.provider == member;
    case Side::kEither:
      return row.owner == member || row.provider == member;
    case Side::kHubAdmin:
      return false;
  }
  return false;
}

Result<ResourceStore::Row> ResourceStore::load(const ResourceSpec& spec, std::int64_t id) {
  const auto found = tx_.exec_params(
      "SELECT doc, revision, owner_member_id, provider_member_id, "
      "coalesce(status, '') FROM " +
          spec.view + " WHERE id = $1",
      id);
  const auto not_found = [&] {
    return make_error(ErrorCode::kClientNotFound,
                      "no " + spec.name + " with id " + std::to_string(id) + " visible to you");
  };
  if (found.empty())
    return not_found();
  Row row;
  row.entity.doc = json::parse(found[0][0].as<std::string>());
  row.entity.revision = found[0][1].as<std::int64_t>();
  if (!found[0][2].is_null())
    row.owner = found[0][2].as<std::int64_t>();
  if (!found[0][3].is_null())
    row.provider = found[0][3].as<std::int64_t>();
  row.status = found[0][4].as<std::string>();
  if (spec.hub_only_reads && actor_.role != Role::kHubAdmin)
    return not_found();
  if (const auto scope = actor_.member_scope(); scope && !spec.readable_by_all) {
    // Rows of other members are reported as absent, not forbidden: a scoped
    // reader must not learn what exists elsewhere.
    if (row.owner != scope && row.provider != scope)
      return not_found();
  }
  return row;
}

Result<json> ResourceStore::list(const ResourceSpec& spec, const Query& query) {
  if (spec.hub_only_reads && actor_.role != Role::kHubAdmin)
    return make_error(ErrorCode::kClientForbidden,
                      spec.name + " are visible to the hub admin only");
  std::vector<FieldError> errors;
  int limit = kDefaultPageSize;
  std::int64_t after = 0;
  std::string where = "id > ";
  for (const auto& [name, value] : query) {
    if (name == "limit") {
      const auto parsed = parse_id(value);
      if (!parsed || *parsed < 1 || *parsed > kMaxPageSize) {
        errors.push_back({"limit", "must be 1 to " + std::to_string(kMaxPageSize)});
      } else {
        limit = static_cast<int>(*parsed);
      }
    } else if (name == "after") {
      const auto parsed = parse_id(value);
      if (!parsed) {
        errors.push_back({"after", "must be the id of the last item of the previous page"});
      } else {
        after = *parsed;
      }
    }
  }
  where += std::to_string(after);
  for (const auto& [name, value] : query) {
    if (name == "limit" || name == "after")
      continue;
    const auto filter = std::find_if(spec.filters.begin(), spec.filters.end(),
                                     [&](const FilterSpec& f) { return f.name == name; });
    if (filter == spec.filters.end()) {
      errors.push_back({name, "unknown query parameter"});
    } else if (filter->numeric) {
      const auto parsed = parse_id(value);
      if (!parsed) {
        errors.push_back({name, "must be a number"});
      } else {
        where += " AND " + filter->column + " = " + std::to_string(*parsed);
      }
    } else {
      where += " AND " + filter->column + " = " + tx_.quote(value);
    }
  }
  if (!errors.empty())
    return invalid(std::move(errors));
  if (const auto scope = actor_.member_scope(); scope && !spec.readable_by_all) {
    const auto member = std::to_string(*scope);
    where += " AND (owner_member_id = " + member + " OR provider_member_id = " + member + ")";
  }
  const auto rows = tx_.exec("SELECT id, doc FROM " + spec.view + " WHERE " + where +
                             " ORDER BY id LIMIT " + std::to_string(limit + 1));
  return keyset_page(rows, limit);
}

Result<Entity> ResourceStore::get(const ResourceSpec& spec, std::int64_t id) {
  auto row = load(spec, id);
  if (!row.has_value())
    return std::move(row).error();
  return std::move(row).value().entity;
}

Result<Created> ResourceStore::create(const ResourceSpec& spec, const json& body) {
  if (actor_.role == Role::kAuditor)
    return make_error(ErrorCode::kClientForbidden, "auditors have read-only access");
  if (actor_.role == Role::kMemberAdmin && !spec.member_admin_creates)
    return make_error(ErrorCode::kClientForbidden, "only a hub-admin creates " + spec.name);

  std::vector<FieldError> errors = validate_fields(body, spec.fields, WriteMode::kCreate);
  if (!body.is_object())
    return invalid(std::move(errors));
  json row = json::object();
  json reveal;
  // References are checked even when other fields failed, so one answer names every problem.
  resolve_references(tx_, spec, body, row, errors);
  if (spec.prepare_create && errors.empty())
    spec.prepare_create(body, row, reveal, actor_, errors);
  if (!errors.empty())
    return invalid(std::move(errors));

  if (actor_.role == Role::kMemberAdmin && owner_of_new_row(tx_, spec, row) != actor_.member_id) {
    return make_error(ErrorCode::kClientForbidden,
                      "a member-admin creates " + spec.name + " only for its own member");
  }
  if (!spec.create_check_sql.empty()) {
    for (const auto& problem : tx_.exec_params(spec.create_check_sql, row.dump())) {
      errors.push_back({problem[0].as<std::string>(), problem[1].as<std::string>()});
    }
    if (!errors.empty())
      return invalid(std::move(errors));
  }

  std::int64_t id = 0;
  try {
    pqxx::subtransaction insert(tx_, "insert");
    const auto columns = column_list(row);
    id = insert
             .exec_params("INSERT INTO " + spec.table + " (" + columns + ") SELECT " + columns +
                              " FROM jsonb_populate_record(NULL::" + spec.table +
                              ", $1::jsonb) RETURNING id",
                          row.dump())[0][0]
             .as<std::int64_t>();
    insert.commit();
  } catch (const pqxx::sql_error& e) {
    return constraint_error(e);
  }
  if (spec.name == "agreements") {
    tx_.exec_params(
        "INSERT INTO agreement_events (agreement_id, from_status, to_status, actor) "
        "VALUES ($1, NULL, 'requested', $2)",
        id, actor_.name);
  }
  auto created = load(spec, id);
  if (!created.has_value())
    throw std::runtime_error("created " + spec.name + " " + std::to_string(id) +
                             " is not readable");
  record_change(spec, "create", id, nullptr, created.value());
  return Created{std::move(created).value().entity, std::move(reveal)};
}

Result<Entity> ResourceStore::update(const ResourceSpec& spec, std::int64_t id, const json& body,
                                     std::optional<std::int64_t> if_match) {
  if (!spec.patchable)
    return make_error(ErrorCode::kClientMethodNotAllowed, spec.name + " cannot be changed");
  if (actor_.role == Role::kAuditor)
    return make_error(ErrorCode::kClientForbidden, "auditors have read-only access");
  auto before = load(spec, id);
  if (!before.has_value())
    return std::move(before).error();
  if (!may_write(before.value(), Side::kOwner))
    return make_error(ErrorCode::kClientForbidden, "only the owning member changes this entity");
  if (!if_match)
    return make_error(ErrorCode::kClientPreconditionRequired,
                      "send If-Match with the ETag from your last GET");
  if (*if_match != before.value().entity.revision) {
    return make_error(ErrorCode::kClientPreconditionFailed,
                      "revision is now " + std::to_string(before.value().entity.revision) +
                          "; GET it again and reapply your change");
  }
  if (!spec.patchable_statuses.empty() &&
      std::find(spec.patchable_statuses.begin(), spec.patchable_statuses.end(),
                before.value().status) == spec.patchable_statuses.end()) {
    return make_error(ErrorCode::kClientConflict,
                      spec.name + " in status " + before.value().status +
                          " cannot be changed; revoke it and request a new one");
  }
  std::vector<FieldError> errors = validate_fields(body, spec.fields, WriteMode::kUpdate);
  if (!errors.empty())
    return invalid(std::move(errors));
  if (body.empty())
    return invalid({{"", "nothing to change"}});
  json row = json::object();
  resolve_references(tx_, spec, body, row, errors);
  if (!errors.empty())
    return invalid(std::move(errors));

  try {
    pqxx::subtransaction change(tx_, "update");
    const auto columns = column_list(row);
    const auto updated =
        change.exec_params("UPDATE " + spec.table + " SET (" + columns + ") = (SELECT " + columns +
                               " FROM jsonb_populate_record(NULL::" + spec.table +
                               ", $1::jsonb)) WHERE id = $2 AND revision = $3",
                           row.dump(), id, *if_match);
    change.commit();
    if (updated.affected_rows() == 0) {
      return make_error(ErrorCode::kClientPreconditionFailed,
                        "changed by someone else meanwhile; GET it again");
    }
  } catch (const pqxx::sql_error& e) {
    return constraint_error(e);
  }
  auto after = load(spec, id);
  if (!after.has_value())
    return std::move(after).error();
  record_change(spec, "update", id, &before.value(), after.value());
  return std::move(after).value().entity;
}

Result<Entity> ResourceStore::act(const ResourceSpec& spec, const ActionSpec& action,
                                  std::int64_t id, const std::string& reason,
                                  std::optional<std::int64_t> if_match) {
  if (actor_.role == Role::kAuditor)
    return make_error(ErrorCode::kClientForbidden, "auditors have read-only access");
  auto before = load(spec, id);
  if (!before.has_value())
    return std::move(before).error();
  if (!may_write(before.value(), action.side)) {
    const char* who = action.side == Side::kProvider   ? "the provider's member"
                      : action.side == Side::kHubAdmin ? "a hub-admin"
                                                       : "the owning member";
    return make_error(ErrorCode::kClientForbidden,
                      "only " + std::string(who) + " may " + action.name + " this");
  }
  if (if_match && *if_match != before.value().entity.revision) {
    return make_error(ErrorCode::kClientPreconditionFailed,
                      "revision is now " + std::to_string(before.value().entity.revision));
  }
  const auto& from = action.from_status;
  if (std::find(from.begin(), from.end(), before.value().status) == from.end()) {
    return make_error(ErrorCode::kClientConflict, "cannot " + action.name + " " + spec.name + " " +
                                                      std::to_string(id) + " in status " +
                                                      before.value().status);
  }
  // PostgreSQL refuses parameters a statement does not use: pass only those
  // the action's SQL refers to.
  const auto& sql = action.update_sql;
  if (sql.find("$4") != std::string::npos) {
    tx_.exec_params(sql, id, actor_.name, reason, before.value().status);
  } else if (sql.find("$2") != std::string::npos) {
    tx_.exec_params(sql, id, actor_.name);
  } else {
    tx_.exec_params(sql, id);
  }
  auto after = load(spec, id);
  if (!after.has_value())
    return std::move(after).error();
  record_change(spec, action.name, id, &before.value(), after.value());
  return std::move(after).value().entity;
}

void ResourceStore::record_change(const ResourceSpec& spec, const std::string& action,
                                  std::int64_t id, const Row* before, const Row& after) {
  std::string members = "{";
  for (const auto& member : {after.owner, after.provider}) {
    if (member) {
      members += (members.size() > 1 ? "," : "") + std::to_string(*member);
    }
  }
  members += "}";
  tx_.exec_params(
      "INSERT INTO admin_changes (actor, actor_role, action, entity, entity_id, member_ids, "
      "before, after) VALUES ($1, $2, $3, $4, $5, $6::bigint[], $7::jsonb, $8::jsonb)",
      actor_.name, std::string(role_name(actor_.role)), action, spec.name, id, members,
      before ? before->entity.doc.dump() : std::string("null"), after.entity.doc.dump());
}

}  // namespace lienthong::admin

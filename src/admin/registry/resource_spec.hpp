#pragma once
// The registry entities as data: each resource names its table, its API view
// (schemas/sql/0002_registry.sql), its writable fields with their rules, its
// list filters, who may create it and its lifecycle actions. The generic code
// in resource_store.cpp serves every resource from these tables, so adding a
// field or a resource is a change here and in the migration, not new code.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/admin/actor.hpp"
#include "lienthong/core/error.hpp"

namespace lienthong::admin {

enum class FieldKind {
  kText,            // free text, 1..max_length characters
  kIdentifierPart,  // [A-Za-z0-9._-]{1,128}
  kChoice,          // one of `choices`
  kInteger,         // between min and max
  kBoolean,
  kUrl,        // http:// or https:// base URL
  kHttpPath,   // absolute path, e.g. /citizens/lookup
  kTimestamp,  // RFC 3339 with offset, e.g. 2027-01-01T00:00:00Z
  kEmail,
  kSha256Hex,        // 64 lower-case hex digits
  kPemCertificate,   // one PEM certificate
  kPemPublicKey,     // an Ed25519 public key, PEM (SubjectPublicKeyInfo)
  kObject,           // any JSON object
  kAdapterConfig,    // a service's adapter settings; its "mapping" must compile
  kJsonSchema,       // a JSON Schema document (draft 7)
  kIdentifierList,   // array of identifier parts
  kMethodList,       // array of HTTP methods
  kPathPatternList,  // array of path patterns ('*' matches one segment, '**' the rest)
  kPointerList,      // array of JSON pointers
  kServiceKeyList,   // array of "INSTANCE/CLASS/MEMBER/SYSTEM/SERVICE"
  kOutboundRules,    // array of {"consumer": "*"|MEMBER|SYSTEM, "service": "*"|PROVIDER/SERVICE}
  kMemberRef,        // "INSTANCE/CLASS/CODE", stored as the member's id
  kSystemRef,        // "INSTANCE/CLASS/CODE/SYSTEM", stored as the system's id
  kSchemaRef,        // "NAME/VERSION", stored as the json_schema's id
};

struct FieldSpec {
  std::string name;    // in the API
  std::string column;  // in the table
  FieldKind kind = FieldKind::kText;
  bool required = false;   // on create
  bool updatable = false;  // by PATCH
  std::size_t max_length = 500;
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::vector<std::string> choices = {};
};

// A list filter: ?name=value compares `column` of the view.
struct FilterSpec {
  std::string name;
  std::string column;
  bool numeric = false;
};

// Who may perform an action on a row.
enum class Side {
  kOwner,     // hub-admin, or member-admin of the row's owner
  kProvider,  // hub-admin, or member-admin of the provider (agreements)
  kEither,    // hub-admin, or member-admin of owner or provider
  kHubAdmin,  // hub-admin only
};

// A lifecycle action: POST /admin/v1/{resource}/{id}/{name}.
struct ActionSpec {
  std::string name;  // e.g. "approve"
  Side side = Side::kOwner;
  std::vector<std::string> from_status;  // the row's status must be one of these
  // $1 = id, and optionally $2 = actor name, $3 = reason ('' when none),
  // $4 = the status before (all four when $4 is used).
  std::string update_sql;
};

struct ResourceSpec {
  std::string name;  // path segment and admin-change entity, e.g. "systems"
  std::string table;
  std::string view;  // api_<name>: id, owner_member_id, provider_member_id, revision, doc
  std::vector<FieldSpec> fields;
  std::vector<FilterSpec> filters;
  std::vector<ActionSpec> actions;
  bool creatable = true;
  bool patchable = true;
  bool member_admin_creates = true;  // false: hub-admin only
  bool readable_by_all = false;      // a directory every role may read (members, schemas)
  bool hub_only_reads = false;       // only the hub admin may read (tokens: labels, roles)
  // Column of the new row naming its owning member, or the reference column
  // the owner is derived from: "member_id" or "system_id"/"consumer_system_id".
  std::string owner_column;
  // Rules spanning fields and server-set columns: may add FieldErrors, may add
  // columns to `row` (keyed by column), may put what must be shown once into `reveal`.
  std::function<void(const nlohmann::json& body, nlohmann::json& row, nlohmann::json& reveal,
                     const Actor& actor, std::vector<FieldError>& errors)>
      prepare_create = nullptr;
  // Checks needing the database, run before INSERT with $1 = the new row
  // (jsonb keyed by column); each result row is (JSON pointer, detail).
  std::string create_check_sql = {};
  // Extra condition for PATCH, e.g. agreements only while requested.
  std::vector<std::string> patchable_statuses = {};
};

const std::vector<ResourceSpec>& resource_specs();
const ResourceSpec* find_resource(std::string_view name);

}  // namespace lienthong::admin

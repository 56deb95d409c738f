#include <nlohmann/json.hpp>

#include "lienthong/core/identifiers.hpp"
#include "lienthong/core/secret.hpp"

#include "access/certificate_fingerprint.hpp"
#include "registry/resource_spec.hpp"

namespace lienthong::admin {
namespace {

using nlohmann::json;
using K = FieldKind;

FieldSpec field(std::string name, K kind, bool required, bool updatable) {
  FieldSpec spec;
  spec.column = name;
  spec.name = std::move(name);
  spec.kind = kind;
  spec.required = required;
  spec.updatable = updatable;
  return spec;
}
FieldSpec text(std::string name, bool required, bool updatable, std::size_t max_length) {
  auto spec = field(std::move(name), K::kText, required, updatable);
  spec.max_length = max_length;
  return spec;
}
FieldSpec choice(std::string name, std::vector<std::string> choices, bool updatable) {
  auto spec = field(std::move(name), K::kChoice, false, updatable);
  spec.choices = std::move(choices);
  return spec;
}
FieldSpec integer(std::string name, std::int64_t min, std::int64_t max, bool updatable) {
  auto spec = field(std::move(name), K::kInteger, false, updatable);
  spec.min = min;
  spec.max = max;
  return spec;
}
FieldSpec ref(std::string name, std::string column, K kind, bool required) {
  auto spec = field(std::move(name), kind, required, false);
  spec.column = std::move(column);
  return spec;
}

// National agency codes (000.00.00.G12) for ministries and provinces.
bool is_agency_code(const std::string& code) {
  static constexpr std::string_view kShape = "999.99.99.A99";
  if (code.size() != kShape.size())
    return false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    const char want = kShape[i];
    const bool ok = want == '9'   ? (c >= '0' && c <= '9')
                    : want == 'A' ? (c >= 'A' && c <= 'Z')
                                  : c == want;
    if (!ok)
      return false;
  }
  return true;
}

// A resource served from `table` and shown through the view api_<table>.
ResourceSpec resource(std::string name, const std::string& table) {
  ResourceSpec spec;
  spec.name = std::move(name);
  spec.table = table;
  spec.view = "api_" + table;
  return spec;
}

std::string status_update(const std::string& table, const std::string& set_clause) {
  return "UPDATE " + table + " SET " + set_clause + " WHERE id = $1";
}

// Agreement transitions also append to agreement_events: who, when, from what.
ActionSpec agreement_action(std::string name, Side side, std::vector<std::string> from,
                            const std::string& to) {
  return ActionSpec{
      std::move(name), side, std::move(from),
      "WITH changed AS (UPDATE agreements SET status = '" + to +
          "', status_changed_by = $2, status_changed_at = now() WHERE id = $1 RETURNING id) "
          "INSERT INTO agreement_events (agreement_id, from_status, to_status, actor, reason) "
          "SELECT id, $4, '" +
          to + "', $2, NULLIF($3, '') FROM changed"};
}

std::vector<ResourceSpec> build_specs() {
  std::vector<ResourceSpec> specs;

  auto members = resource("members", "members");
  members.fields = {field("instance", K::kIdentifierPart, true, false),
                    ref("class", "member_class", K::kChoice, true),
                    ref("code", "member_code", K::kIdentifierPart, true),
                    text("name", true, true, 500),
                    text("contact_name", false, true, 200),
                    field("contact_email", K::kEmail, false, true),
                    text("contact_phone", false, true, 50)};
  members.fields[1].choices = {"GOV", "PROV", "ORG", "COM"};
  members.filters = {{"class", "class", false}};
  members.member_admin_creates = false;
  members.readable_by_all = true;
  members.owner_column = "id";
  members.prepare_create = [](const json& body, json&, json&, const Actor&,
                              std::vector<FieldError>& errors) {
    const auto member_class = body.value("class", std::string());
    if ((member_class == "GOV" || member_class == "PROV") &&
        !is_agency_code(body.value("code", std::string()))) {
      errors.push_back({"/code",
                        "GOV and PROV members use the national agency code, e.g. "
                        "000.00.00.G12"});
    }
  };
  specs.push_back(std::move(members));

  auto systems = resource("systems", "systems");
  systems.fields = {ref("member", "member_id", K::kMemberRef, true),
                    ref("code", "system_code", K::kIdentifierPart, true),
                    text("name", true, true, 500),
                    choice("status", {"active", "disabled"}, true),
                    field("base_url", K::kUrl, false, true),
                    choice("adapter_kind", {"rest", "soap", "async"}, true),
                    field("tls_ca_pem", K::kPemCertificate, false, true),
                    text("tls_server_name", false, true, 253)};
  systems.filters = {{"member_id", "member_id", true}, {"status", "status", false}};
  systems.owner_column = "member_id";
  specs.push_back(std::move(systems));

  auto credentials = resource("credentials", "credentials");
  credentials.fields = {ref("system", "system_id", K::kSystemRef, true),
                        ref("kind", "kind", K::kChoice, true),
                        field("fingerprint", K::kSha256Hex, false, false),
                        field("certificate_pem", K::kPemCertificate, false, false),
                        text("label", false, true, 200),
                        field("expires_at", K::kTimestamp, false, true)};
  credentials.fields[1].choices = {"certificate", "api_key"};
  credentials.fields[3].column = "";  // turned into `fingerprint` by prepare_create
  credentials.filters = {
      {"system_id", "system_id", true}, {"kind", "kind", false}, {"status", "status", false}};
  credentials.actions = {{"revoke",
                          Side::kOwner,
                          {"active", "expired"},
                          status_update("credentials", "revoked_at = now(), revoked_by = $2")}};
  credentials.owner_column = "system_id";
  credentials.prepare_create = [](const json& body, json& row, json& reveal, const Actor&,
                                  std::vector<FieldError>& errors) {
    const auto kind = body.value("kind", std::string());
    const bool has_fingerprint = body.contains("fingerprint");
    const bool has_pem = body.contains("certificate_pem");
    if (kind == "api_key") {
      if (has_fingerprint || has_pem)
        errors.push_back({"/kind", "an api_key credential takes no fingerprint or certificate"});
      const NewSecret key = new_secret("ltk_");
      row["key_sha256"] = key.sha256;
      row["key_prefix"] = key.prefix;
      reveal["api_key"] = key.secret;
    } else if (kind == "certificate") {
      if (has_fingerprint == has_pem) {
        errors.push_back({"/fingerprint", "give exactly one of fingerprint and certificate_pem"});
      } else if (has_pem && body["certificate_pem"].is_string()) {
        auto fingerprint = certificate_fingerprint(body["certificate_pem"].get<std::string>());
        if (fingerprint.has_value()) {
          row["fingerprint"] = fingerprint.value();
        } else {
          errors.push_back({"/certificate_pem", fingerprint.error().detail});
        }
      }
    }
  };
  specs.push_back(std::move(credentials));

  auto schemas = resource("json-schemas", "json_schemas");
  schemas.fields = {ref("member", "member_id", K::kMemberRef, false),
                    field("name", K::kIdentifierPart, true, false),
                    field("version", K::kIdentifierPart, true, false),
                    text("description", false, true, 2000),
                    field("document", K::kJsonSchema, true, false)};
  schemas.filters = {
      {"member_id", "member_id", true}, {"name", "name", false}, {"status", "status", false}};
  schemas.actions = {
      {"deprecate",
       Side::kOwner,
       {"published"},
       status_update("json_schemas", "status = 'deprecated', deprecated_at = now()")}};
  schemas.readable_by_all = true;
  schemas.owner_column = "member_id";
  schemas.prepare_create = [](const json&, json& row, json&, const Actor& actor,
                              std::vector<FieldError>&) { row["created_by"] = actor.name; };
  specs.push_back(std::move(schemas));

  auto services = resource("services", "services");
  services.fields = {ref("system", "system_id", K::kSystemRef, true),
                     ref("code", "service_code", K::kIdentifierPart, true),
                     field("version", K::kIdentifierPart, true, false),
                     text("name", true, true, 500),
                     field("provider_path", K::kHttpPath, true, true),
                     integer("timeout_ms", 10, 3'600'000, true),
                     choice("status", {"active", "disabled"}, true),
                     choice("adapter_kind", {"rest", "soap", "async"}, true),
                     field("adapter_config", K::kAdapterConfig, false, true),
                     integer("max_body_bytes", 1, 104'857'600, true),
                     ref("request_schema", "request_schema_id", K::kSchemaRef, false),
                     ref("response_schema", "response_schema_id", K::kSchemaRef, false),
                     field("allow_async", K::kBoolean, false, true),
                     field("require_purpose", K::kBoolean, false, true),
                     choice("audit_bodies", {"none", "hash", "full"}, true)};
  services.fields[10].updatable = true;
  services.fields[11].updatable = true;
  services.filters = {{"system_id", "system_id", true}, {"status", "status", false}};
  services.owner_column = "system_id";
  services.prepare_create = [](const json& body, json&, json&, const Actor&,
                               std::vector<FieldError>& errors) {
    const auto code = body.find("code");
    if (code != body.end() && code->is_string() &&
        is_reserved_service_code(code->get_ref<const std::string&>()))
      errors.push_back({"/code", "reserved for X-Road metaservices, which the hub answers"});
    if (body.value("adapter_kind", json("rest")) == "soap" &&
        !(body.contains("adapter_config") && body["adapter_config"].is_object() &&
          body["adapter_config"].contains("soap")))
      errors.push_back(
          {"/adapter_config", "a SOAP service needs its binding in adapter_config.soap"});
  };
  specs.push_back(std::move(services));

  auto agreements = resource("agreements", "agreements");
  agreements.fields = {ref("consumer", "consumer_system_id", K::kSystemRef, true),
                       ref("provider", "provider_system_id", K::kSystemRef, true),
                       field("service_code", K::kIdentifierPart, true, false),
                       field("versions", K::kIdentifierList, false, true),
                       text("purpose", true, true, 2000),
                       text("legal_basis", true, true, 2000),
                       text("legal_reference", false, true, 500),
                       field("valid_from", K::kTimestamp, false, true),
                       field("valid_until", K::kTimestamp, false, true),
                       field("allowed_methods", K::kMethodList, false, true),
                       field("path_patterns", K::kPathPatternList, false, true),
                       field("response_fields", K::kPointerList, false, true),
                       integer("rate_limit_per_minute", 1, 1'000'000, true),
                       integer("daily_quota", 1, 1'000'000'000, true)};
  agreements.filters = {{"consumer_system_id", "consumer_system_id", true},
                        {"provider_system_id", "provider_system_id", true},
                        {"service_code", "service_code", false},
                        {"status", "status", false}};
  agreements.actions = {
      agreement_action("approve", Side::kProvider, {"requested"}, "approved"),
      agreement_action("reject", Side::kProvider, {"requested"}, "rejected"),
      agreement_action("suspend", Side::kProvider, {"approved", "expired"}, "suspended"),
      agreement_action("resume", Side::kProvider, {"suspended"}, "approved"),
      agreement_action("revoke", Side::kEither, {"requested", "approved", "suspended", "expired"},
                       "revoked")};
  agreements.owner_column = "consumer_system_id";
  agreements.create_check_sql =
      "SELECT '/service_code', 'the provider system has no service ' || "
      "($1::jsonb->>'service_code') "
      "WHERE NOT EXISTS (SELECT 1 FROM services WHERE service_code = $1::jsonb->>'service_code' "
      "AND system_id = ($1::jsonb->>'provider_system_id')::bigint)";
  agreements.patchable_statuses = {"requested"};
  agreements.prepare_create = [](const json&, json& row, json&, const Actor& actor,
                                 std::vector<FieldError>&) {
    row["status"] = "requested";
    row["requested_by"] = actor.name;
    row["status_changed_by"] = actor.name;
  };
  specs.push_back(std::move(agreements));

  // Peer hubs (docs/federation.md): what their administrators sent us, and
  // which of our services each may see. The hub administrator's alone.
  auto peers = resource("peers", "peers");
  peers.fields = {field("instance", K::kIdentifierPart, true, false),
                  text("name", true, true, 500),
                  field("exchange_url", K::kUrl, true, true),
                  field("tls_ca_pem", K::kPemCertificate, true, true),
                  field("client_fingerprint", K::kSha256Hex, true, true),
                  field("catalogue_key_pem", K::kPemPublicKey, true, true),
                  field("published_services", K::kServiceKeyList, false, true),
                  field("outbound_rules", K::kOutboundRules, false, true),
                  choice("status", {"active", "disabled"}, true)};
  peers.filters = {{"status", "status", false}};
  peers.member_admin_creates = false;
  peers.hub_only_reads = true;
  peers.prepare_create = [](const json& body, json& row, json&, const Actor& actor,
                            std::vector<FieldError>& errors) {
    const auto url = body.find("exchange_url");
    if (url != body.end() && url->is_string() &&
        !url->get_ref<const std::string&>().starts_with("https://"))
      errors.push_back({"/exchange_url", "peer hubs are reached over HTTPS only"});
    row["created_by"] = actor.name;
  };
  specs.push_back(std::move(peers));

  auto tokens = resource("admin-tokens", "admin_tokens");
  tokens.fields = {
      ref("role", "role", K::kChoice, true), ref("member", "member_id", K::kMemberRef, false),
      text("label", true, false, 200), field("expires_at", K::kTimestamp, false, false)};
  tokens.fields[0].choices = {"hub-admin", "member-admin", "auditor"};
  tokens.filters = {{"role", "role", false}, {"status", "status", false}};
  tokens.actions = {{"revoke",
                     Side::kHubAdmin,
                     {"active", "expired"},
                     status_update("admin_tokens", "revoked_at = now()")}};
  tokens.patchable = false;
  tokens.member_admin_creates = false;
  tokens.hub_only_reads = true;
  tokens.owner_column = "member_id";
  tokens.prepare_create = [](const json& body, json& row, json& reveal, const Actor& actor,
                             std::vector<FieldError>& errors) {
    // member-admin tokens name their member; auditor tokens may (they then
    // see only that member's exchanges); the hub admin's never do.
    const std::string role = body.value("role", std::string());
    if (role == "member-admin" && !body.contains("member"))
      errors.push_back({"/member", "a member-admin token names its member"});
    if (role == "hub-admin" && body.contains("member"))
      errors.push_back({"/member", "a hub-admin token names no member"});
    const NewSecret token = new_secret("lta_");
    row["token_sha256"] = token.sha256;
    row["token_prefix"] = token.prefix;
    row["created_by"] = actor.name;
    reveal["token"] = token.secret;
  };
  specs.push_back(std::move(tokens));

  return specs;
}

}  // namespace

const std::vector<ResourceSpec>& resource_specs() {
  static const std::vector<ResourceSpec> specs = build_specs();
  return specs;
}

const ResourceSpec* find_resource(std::string_view name) {
  for (const auto& spec : resource_specs()) {
    if (spec.name == name)
      return &spec;
  }
  return nullptr;
}

}  // namespace lienthong::admin

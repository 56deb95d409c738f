#include "lienthong/registry/snapshot_loader.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <pqxx/pqxx>

#include "lienthong/core/digest.hpp"
#include "lienthong/core/sealing_key.hpp"
#include "lienthong/mapping/field_mapping.hpp"
#include "lienthong/registry/provider_auth.hpp"
#include "lienthong/schema/json_schema.hpp"

namespace lienthong::registry {
namespace {

void warn(std::vector<std::string>* warnings, std::string text) {
  if (warnings != nullptr)
    warnings->push_back(std::move(text));
}

std::vector<SystemEntry> load_systems(pqxx::transaction_base& tx,
                                      std::vector<std::string>* warnings) {
  std::vector<SystemEntry> systems;
  const auto rows = tx.exec(
      "SELECT s.id, m.instance, m.member_class, m.member_code, s.system_code, s.name, s.base_url "
      "FROM systems s JOIN members m ON m.id = s.member_id WHERE s.status = 'active'");
  systems.reserve(rows.size());
  for (const auto& row : rows) {
    SystemEntry entry;
    entry.id = row[0].as<std::int64_t>();
    entry.system_id = SystemId{row[1].as<std::string>(), row[2].as<std::string>(),
                               row[3].as<std::string>(), row[4].as<std::string>()};
    entry.key = entry.system_id.to_string();
    entry.name = row[5].as<std::string>();
    if (!row[6].is_null()) {
      auto endpoint = net::HttpEndpoint::parse(row[6].as<std::string>());
      if (!endpoint.has_value()) {
        warn(warnings, "system " + entry.key + ": base_url skipped: " + endpoint.error().detail);
      } else {
        entry.endpoint = std::move(endpoint).value();
      }
    }
    systems.push_back(std::move(entry));
  }
  return systems;
}

using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;
using SchemaPtr = std::shared_ptr<const schema::JsonSchema>;

std::optional<TimePoint> optional_time(const pqxx::field& epoch_ms) {
  if (epoch_ms.is_null())
    return std::nullopt;
  return TimePoint(milliseconds(epoch_ms.as<std::int64_t>()));
}

// Every schema an active service uses, compiled once for this snapshot.
// A schema that no longer compiles (published before a stricter compiler)
// is left out with a warning; its services then refuse calls rather than
// pass them unchecked.
std::map<std::int64_t, SchemaPtr> compile_schemas(pqxx::transaction_base& tx,
                                                  std::vector<std::string>* warnings) {
  std::map<std::int64_t, SchemaPtr> compiled;
  const auto rows = tx.exec(
      "SELECT j.id, j.name || '/' || j.version, j.document::text FROM json_schemas j "
      "WHERE j.id IN (SELECT request_schema_id FROM services WHERE status = 'active' "
      "UNION SELECT response_schema_id FROM services WHERE status = 'active')");
  for (const auto& row : rows) {
    auto schema = schema::JsonSchema::compile(nlohmann::json::parse(row[2].as<std::string>()));
    if (schema.has_value()) {
      compiled.emplace(row[0].as<std::int64_t>(), std::move(schema).value());
    } else {
      warn(warnings,
           "json schema " + row[1].as<std::string>() + " skipped: " + schema.error().detail);
    }
  }
  return compiled;
}

// The service's field mapping, both directions; false (and a warning) when
// it does not compile: the service is then left out rather than called with
// unmapped data. The admin API refuses such mappings, so this is for ones
// stored before a stricter version.
bool compile_mapping(const nlohmann::json& document, ServiceEntry& entry,
                     std::vector<std::string>* warnings) {
  for (const auto& [direction, target] : {std::pair{"request", &entry.request_mapping},
                                          std::pair{"response", &entry.response_mapping}}) {
    if (!document.is_object() || !document.contains(direction))
      continue;
    auto compiled = mapping::FieldMapping::compile(document, direction);
    if (!compiled.has_value()) {
      warn(warnings, "service " + entry.key + " skipped: its " + direction +
                         " mapping does not compile: " + compiled.error().detail);
      return false;
    }
    *target = std::make_shared<const mapping::FieldMapping>(std::move(compiled).value());
  }
  return true;
}

std::vector<ServiceEntry> load_services(pqxx::transaction_base& tx,
                                        std::vector<std::string>* warnings) {
  const auto schemas = compile_schemas(tx, warnings);
  std::vector<ServiceEntry> services;
  const auto rows = tx.exec(
      "SELECT v.id, m.instance, m.member_class, m.member_code, s.system_code, v.service_code, "
      "v.version, v.name, v.system_id, v.provider_path, v.timeout_ms, v.max_body_bytes, "
      "v.require_purpose, v.request_schema_id, v.response_schema_id, v.audit_bodies, "
      "v.adapter_kind, v.adapter_config::text, v.allow_async "
      "FROM services v JOIN systems s ON s.id = v.system_id JOIN members m ON m.id = s.member_id "
      "WHERE v.status = 'active' AND s.status = 'active'");
  services.reserve(rows.size());
  for (const auto& row : rows) {
    ServiceEntry entry;
    entry.id = row[0].as<std::int64_t>();
    entry.service_id = ServiceId{SystemId{row[1].as<std::string>(), row[2].as<std::string>(),
                                          row[3].as<std::string>(), row[4].as<std::string>()},
                                 row[5].as<std::string>(), row[6].as<std::string>()};
    entry.key = entry.service_id.to_string();
    entry.name = row[7].as<std::string>();
    entry.provider_system_id = row[8].as<std::int64_t>();
    entry.provider_path = row[9].as<std::string>();
    entry.timeout = std::chrono::milliseconds(row[10].as<int>());
    if (!row[11].is_null())
      entry.max_body_bytes = row[11].as<std::size_t>();
    entry.require_purpose = row[12].as<bool>();
    const auto bodies = row[15].as<std::string>();
    entry.audit_bodies = bodies == "full"   ? AuditBodies::kFull
                         : bodies == "none" ? AuditBodies::kNone
                                            : AuditBodies::kHash;
    bool schemas_ready = true;
    for (const auto& [column, target] :
         {std::pair{13, &entry.request_schema}, std::pair{14, &entry.response_schema}}) {
      if (row[column].is_null())
        continue;
      const auto found = schemas.find(row[column].as<std::int64_t>());
      if (found == schemas.end()) {
        schemas_ready = false;
      } else {
        *target = found->second;
      }
    }
    if (!schemas_ready) {
      warn(warnings, "service " + entry.key + " skipped: its JSON Schema does not compile");
      continue;
    }
    entry.allow_async = row[18].as<bool>();
    const auto kind = row[16].as<std::string>();
    entry.adapter = kind == "soap"    ? AdapterKind::kSoap
                    : kind == "async" ? AdapterKind::kAsync
                                      : AdapterKind::kRest;
    if (!row[17].is_null()) {
      auto config = nlohmann::json::parse(row[17].as<std::string>(), nullptr, false);
      if (config.is_object() && !config.empty()) {
        if (config.contains("mapping") && !compile_mapping(config["mapping"], entry, warnings))
          continue;
        entry.adapter_config = std::make_shared<const nlohmann::json>(std::move(config));
      }
    }
    services.push_back(std::move(entry));
  }
  return services;
}

std::vector<std::string> split_versions(const std::string& joined) {
  std::vector<std::string> versions;
  std::size_t start = 0;
  while (start < joined.size()) {
    const auto comma = std::min(joined.find(',', start), joined.size());
    versions.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return versions;
}

std::vector<AgreementEntry> load_agreements(pqxx::transaction_base& tx) {
  std::vector<AgreementEntry> agreements;
  // Versions are identifier parts, which never contain a comma.
  const auto rows = tx.exec(
      "SELECT id, consumer_system_id, provider_system_id, service_code, "
      "array_to_string(versions, ','), (extract(epoch FROM valid_from) * 1000)::bigint, "
      "(extract(epoch FROM valid_until) * 1000)::bigint, array_to_json(response_fields)::text, "
      "rate_limit_per_minute, daily_quota, array_to_json(allowed_methods)::text, "
      "array_to_json(path_patterns)::text, purpose "
      "FROM agreements WHERE status = 'approved'");
  agreements.reserve(rows.size());
  for (const auto& row : rows) {
    AgreementEntry entry;
    entry.id = row[0].as<std::int64_t>();
    entry.consumer_system_id = row[1].as<std::int64_t>();
    entry.provider_system_id = row[2].as<std::int64_t>();
    entry.service_code = row[3].as<std::string>();
    entry.versions = split_versions(row[4].as<std::string>());
    entry.valid_from = AgreementEntry::Clock::time_point(milliseconds(row[5].as<std::int64_t>()));
    entry.valid_until = optional_time(row[6]);
    entry.response_fields =
        nlohmann::json::parse(row[7].as<std::string>()).get<std::vector<std::string>>();
    if (!row[8].is_null())
      entry.rate_limit_per_minute = row[8].as<int>();
    if (!row[9].is_null())
      entry.daily_quota = row[9].as<int>();
    entry.allowed_methods =
        nlohmann::json::parse(row[10].as<std::string>()).get<std::vector<std::string>>();
    entry.path_patterns =
        nlohmann::json::parse(row[11].as<std::string>()).get<std::vector<std::string>>();
    entry.purpose = row[12].as<std::string>();
    agreements.push_back(std::move(entry));
  }
  return agreements;
}

// What each provider system wants besides TLS, opened with this node's key.
// A registration that does not open stays attached as "unavailable", so its
// system's calls are refused rather than sent without what the provider expects.
void attach_provider_auth(pqxx::transaction_base& tx, std::vector<SystemEntry>& systems,
                          const SealingKeys* keys, std::vector<std::string>* warnings) {
  std::map<std::int64_t, SystemEntry*> by_id;
  for (auto& system : systems)
    by_id.emplace(system.id, &system);
  const auto rows = tx.exec(
      "SELECT system_id, translate(encode(sealed, 'base64'), E'\\n', ''), key_id "
      "FROM provider_credentials");
  for (const auto& row : rows) {
    const auto system = by_id.find(row[0].as<std::int64_t>());
    if (system == by_id.end())
      continue;  // not an active system
    const auto key_id = row[2].as<std::string>();
    auto auth = std::make_shared<ProviderAuth>();
    std::optional<std::string> plain;
    const SealingKey* key = keys != nullptr ? keys->find(key_id) : nullptr;
    if (keys == nullptr || !keys->current) {
      auth->unavailable = "this node has no sealing key";
    } else if (key == nullptr) {
      auth->unavailable = "they were sealed with key " + key_id + "; this node holds key " +
                          keys->current->key_id() + " (provider.credentials_key)" +
                          (keys->previous ? " and " + keys->previous->key_id() +
                                                " (provider.previous_credentials_key)"
                                          : "");
    } else {
      const auto sealed = base64_decode(row[1].as<std::string>());
      if (sealed)
        plain = key->open(*sealed, provider_auth_context(system->first));
      if (!plain)
        auth->unavailable = "they do not open with this node's key: the row was altered";
    }
    if (plain) {
      auto document = nlohmann::json::parse(*plain, nullptr, false);
      OPENSSL_cleanse(plain->data(), plain->size());
      auto loaded = parse_provider_auth(document);
      if (loaded.has_value())
        *auth = loaded.value();
      else
        auth->unavailable = "their stored form is not valid: " + loaded.error().detail;
    }
    if (!auth->unavailable.empty()) {
      warn(warnings, "system " + system->second->key +
                         ": provider credentials unavailable: " + auth->unavailable);
    }
    system->second->provider_auth = std::move(auth);
  }
}

// Active peer hubs, each with the catalogue entries of the services
// published to it (active services of active systems only; a published key
// that names nothing is left out).
std::vector<PeerEntry> load_peers(pqxx::transaction_base& tx, std::vector<std::string>* warnings) {
  std::vector<PeerEntry> peers;
  const auto rows = tx.exec(
      "SELECT p.id, p.instance, p.name, p.exchange_url, p.tls_ca_pem, p.client_fingerprint, "
      "p.catalogue_key_pem, (SELECT coalesce(jsonb_agg(jsonb_build_object('id', e.id, "
      "'version', v.version, 'name', v.name, 'provider_name', s.name, 'member_name', m.name, "
      "'require_purpose', v.require_purpose, 'async', v.allow_async OR v.adapter_kind = 'async', "
      "'request_schema', rq.document, 'response_schema', rs.document) ORDER BY e.id, v.version), "
      "'[]')::text FROM services v JOIN systems s ON s.id = v.system_id JOIN members m ON m.id = "
      "s.member_id CROSS JOIN LATERAL (SELECT concat_ws('/', m.instance, m.member_class, "
      "m.member_code, s.system_code, v.service_code) AS id) e LEFT JOIN json_schemas rq ON rq.id "
      "= v.request_schema_id LEFT JOIN json_schemas rs ON rs.id = v.response_schema_id WHERE "
      "v.status = 'active' AND s.status = 'active' AND e.id = ANY (p.published_services)), "
      "array_to_json(p.published_services)::text, p.outbound_rules::text FROM peers p WHERE "
      "p.status = 'active' ORDER BY "
      "p.id");
  for (const auto& row : rows) {
    PeerEntry peer;
    peer.id = row[0].as<std::int64_t>();
    peer.instance = row[1].as<std::string>();
    peer.name = row[2].as<std::string>();
    auto endpoint = net::HttpEndpoint::parse(row[3].as<std::string>());
    if (!endpoint.has_value()) {
      warn(warnings, "peer " + peer.instance + ": skipped: " + endpoint.error().detail);
      continue;
    }
    peer.endpoint = std::move(endpoint).value();
    peer.tls_ca_pem = row[4].as<std::string>();
    peer.client_fingerprint = row[5].as<std::string>();
    peer.catalogue_key_pem = row[6].as<std::string>();
    peer.published =
        std::make_shared<const nlohmann::json>(nlohmann::json::parse(row[7].as<std::string>()));
    peer.published_keys =
        nlohmann::json::parse(row[8].as<std::string>()).get<std::vector<std::string>>();
    // Checked when written (admin API, and the column's CHECK); a rule that
    // is not {"consumer", "service"} lets nothing through.
    for (const auto& rule : nlohmann::json::parse(row[9].as<std::string>())) {
      const auto consumer = rule.is_object() ? rule.find("consumer") : rule.end();
      const auto service = rule.is_object() ? rule.find("service") : rule.end();
      if (consumer != rule.end() && service != rule.end() && consumer->is_string() &&
          service->is_string())
        peer.outbound_rules.push_back({consumer->get<std::string>(), service->get<std::string>()});
    }
    peers.push_back(std::move(peer));
  }
  return peers;
}

}  // namespace

Result<SnapshotPtr> load_snapshot(const std::string& database_url, std::uint64_t version,
                                  std::vector<std::string>* warnings,
                                  const SealingKeys* sealing_keys) {
  try {
    pqxx::connection connection(database_url);
    pqxx::work tx(connection);
    tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Snapshot::Contents contents;
    contents.systems = load_systems(tx, warnings);
    attach_provider_auth(tx, contents.systems, sealing_keys, warnings);
    contents.services = load_services(tx, warnings);
    // Expired credentials are loaded too: expiry is checked per request, so a
    // credential expires on time between reloads.
    for (const auto& row : tx.exec("SELECT kind, coalesce(fingerprint, key_sha256), system_id, "
                                   "(extract(epoch FROM expires_at) * 1000)::bigint "
                                   "FROM credentials WHERE revoked_at IS NULL")) {
      contents.credentials.push_back(
          {row[0].as<std::string>() == "api_key" ? CredentialEntry::Kind::kApiKey
                                                 : CredentialEntry::Kind::kCertificate,
           row[1].as<std::string>(), row[2].as<std::int64_t>(), optional_time(row[3])});
    }
    contents.agreements = load_agreements(tx);
    contents.peers = load_peers(tx, warnings);
    contents.registry_changes =
        tx.exec1("SELECT last_value FROM registry_changes")[0].as<std::int64_t>();
    tx.commit();
    return SnapshotPtr(std::make_shared<const Snapshot>(std::move(contents), version));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kServerRegistryUnavailable,
                      std::string("cannot load the registry: ") + e.what());
  }
}

}  // namespace lienthong::registry

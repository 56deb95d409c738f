#include "lienthong/registry/snapshot_loader.hpp"

#include <algorithm>

#include <pqxx/pqxx>

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

std::vector<ServiceEntry> load_services(pqxx::transaction_base& tx) {
  std::vector<ServiceEntry> services;
  const auto rows = tx.exec(
      "SELECT v.id, m.instance, m.member_class, m.member_code, s.system_code, v.service_code, "
      "v.version, v.name, v.system_id, v.provider_path, v.timeout_ms "
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
  using std::chrono::milliseconds;
  std::vector<AgreementEntry> agreements;
  // Versions are identifier parts, which never contain a comma.
  const auto rows = tx.exec(
      "SELECT id, consumer_system_id, provider_system_id, service_code, "
      "array_to_string(versions, ','), (extract(epoch FROM valid_from) * 1000)::bigint, "
      "(extract(epoch FROM valid_until) * 1000)::bigint "
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
    if (!row[6].is_null()) {
      entry.valid_until =
          AgreementEntry::Clock::time_point(milliseconds(row[6].as<std::int64_t>()));
    }
    agreements.push_back(std::move(entry));
  }
  return agreements;
}

}  // namespace

Result<SnapshotPtr> load_snapshot(const std::string& database_url, std::uint64_t version,
                                  std::vector<std::string>* warnings) {
  try {
    pqxx::connection connection(database_url);
    pqxx::work tx(connection);
    tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Snapshot::Contents contents;
    contents.systems = load_systems(tx, warnings);
    contents.services = load_services(tx);
    for (const auto& row : tx.exec("SELECT fingerprint, system_id FROM credentials "
                                   "WHERE kind = 'certificate' AND revoked_at IS NULL "
                                   "AND (expires_at IS NULL OR expires_at > now())")) {
      contents.fingerprints.emplace_back(row[0].as<std::string>(), row[1].as<std::int64_t>());
    }
    contents.agreements = load_agreements(tx);
    tx.commit();
    return SnapshotPtr(std::make_shared<const Snapshot>(std::move(contents), version));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kServerRegistryUnavailable,
                      std::string("cannot load the registry: ") + e.what());
  }
}

}  // namespace lienthong::registry

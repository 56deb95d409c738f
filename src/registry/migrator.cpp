#include "lienthong/registry/migrator.hpp"

#include <set>
#include <stdexcept>

#include <pqxx/pqxx>

#include "lienthong/core/digest.hpp"

namespace lienthong::embedded {
std::vector<std::pair<std::string_view, std::string_view>> sql_migrations();
}  // namespace lienthong::embedded

namespace lienthong::registry {
namespace {

// Serialises concurrent `migrate` runs (several nodes starting at once).
constexpr std::int64_t kMigrationLock = 0x4c69656e7468;  // "Lienth"

}  // namespace

std::vector<std::string> migration_names() {
  std::vector<std::string> names;
  for (const auto& [name, sql] : embedded::sql_migrations())
    names.emplace_back(name);
  return names;
}

std::string migrations_digest() {
  Sha256Stream digest;
  for (const auto& [name, sql] : embedded::sql_migrations()) {
    // Lengths first, so no two different lists hash the same text.
    digest.update(std::to_string(name.size()) + ":" + std::to_string(sql.size()) + ":");
    digest.update(name);
    digest.update(sql);
  }
  return digest.final_hex();
}

MigrationReport migrate(const std::string& database_url) {
  pqxx::connection connection(database_url);
  {
    pqxx::nontransaction setup(connection);
    setup.exec("SET client_min_messages = warning");
    setup.exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")");
    setup.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name text PRIMARY KEY,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
  }
  std::set<std::string> done;
  {
    pqxx::read_transaction read(connection);
    for (const auto& row : read.exec("SELECT name FROM schema_migrations")) {
      done.insert(row[0].as<std::string>());
    }
  }
  MigrationReport report;
  for (const auto& [name_view, sql] : embedded::sql_migrations()) {
    const std::string name(name_view);
    if (done.contains(name)) {
      report.already.push_back(name);
      continue;
    }
    try {
      pqxx::work work(connection);
      work.exec(std::string(sql));
      work.exec("INSERT INTO schema_migrations (name) VALUES (" + work.quote(name) + ")");
      work.commit();
    } catch (const std::exception& e) {
      throw std::runtime_error("migration " + name + " failed: " + e.what());
    }
    report.applied.push_back(name);
  }
  pqxx::nontransaction unlock(connection);
  unlock.exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
  return report;
}

}  // namespace lienthong::registry

#include "test_environment.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#include <pqxx/pqxx>

#include "lienthong/registry/migrator.hpp"

namespace lienthong::testing {
namespace {

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: run the tests through ./scripts/test.sh");
  }
  return value;
}

// Replaces the database name in a postgresql:// URI (the path before any '?').
std::string with_database(const std::string& url, const std::string& database) {
  const auto query = url.find('?');
  const std::string base = url.substr(0, query);
  const auto slash = base.rfind('/');
  return base.substr(0, slash + 1) + database +
         (query == std::string::npos ? "" : url.substr(query));
}

pqxx::result run(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction tx(connection);
  return tx.exec(sql);
}

// Every test database is a copy of one migrated template: migrating each
// took a quarter of a second of PostgreSQL's time per test. The template is
// named after the migrations' digest and the UTC month (0004 creates the
// partitions of this month and the next two), built under a new name and
// renamed when complete, so a test never copies a half-migrated one.
std::string migrated_template(pqxx::connection& admin) {
  const std::chrono::year_month_day day{
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  const std::string name = "lt_template_" + registry::migrations_digest().substr(0, 16) + "_" +
                           std::to_string(static_cast<int>(day.year())) + "_" +
                           std::to_string(static_cast<unsigned>(day.month()));
  const auto exists = [&] {
    return !run(admin, "SELECT 1 FROM pg_database WHERE datname = '" + name + "'").empty();
  };
  if (exists())
    return name;
  // One test process builds it; the others wait here, then find it.
  const std::string lock = "hashtextextended('lienthong-test-template', 0)";
  run(admin, "SELECT pg_advisory_lock(" + lock + ")");
  try {
    if (!exists()) {
      const std::string building = name + "_building";
      run(admin, "DROP DATABASE IF EXISTS " + building);
      run(admin, "CREATE DATABASE " + building);
      registry::migrate(with_database(admin_database_url(), building));
      run(admin, "ALTER DATABASE " + building + " RENAME TO " + name);
      // Templates of other migrations or months are no longer used.
      for (const auto& row : run(admin,
                                 "SELECT datname FROM pg_database WHERE datname LIKE "
                                 "'lt\\_template\\_%' AND datname <> '" +
                                     name + "'")) {
        try {
          run(admin, "DROP DATABASE \"" + row[0].as<std::string>() + "\"");
        } catch (const std::exception&) {
          // being copied by a test of another build; dropped another time
        }
      }
    }
  } catch (...) {
    run(admin, "SELECT pg_advisory_unlock(" + lock + ")");
    throw;
  }
  run(admin, "SELECT pg_advisory_unlock(" + lock + ")");
  return name;
}

}  // namespace

std::string admin_database_url() {
  return required_env("LT_TEST_PG_URL");
}
std::string database_url(const std::string& database) {
  return with_database(admin_database_url(), database);
}
std::string pki_dir() {
  return required_env("LT_TEST_PKI_DIR");
}
std::string pki_file(const std::string& name) {
  return pki_dir() + "/" + name;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void avoid_utc_midnight(std::chrono::seconds margin) {
  const auto now = std::chrono::system_clock::now();
  const auto midnight = std::chrono::ceil<std::chrono::days>(now);
  if (midnight - now < margin)
    std::this_thread::sleep_until(midnight + std::chrono::seconds(1));
}

TestDatabase::TestDatabase() {
  static std::atomic<int> counter{0};
  std::random_device random;
  name_ = "lt_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(random() % 100000);
  pqxx::connection admin(admin_database_url());
  try {
    run(admin, "CREATE DATABASE " + name_ + " TEMPLATE " + migrated_template(admin));
  } catch (const pqxx::sql_error&) {
    // The month turned between naming the template and copying it, and the
    // test that built the new month's template dropped the old one.
    run(admin, "CREATE DATABASE " + name_ + " TEMPLATE " + migrated_template(admin));
  }
  url_ = with_database(admin_database_url(), name_);
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(admin_database_url());
    pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // A leftover test database is harmless; never throw from a destructor.
  }
}

std::string TestDatabase::scalar(const std::string& sql) const {
  pqxx::connection connection(url_);
  pqxx::nontransaction tx(connection);
  const auto result = tx.exec(sql);
  if (result.empty())
    return "";
  return result[0][0].is_null() ? "NULL" : result[0][0].as<std::string>();
}

void TestDatabase::execute(const std::string& sql) const {
  pqxx::connection connection(url_);
  pqxx::nontransaction(connection).exec(sql);
}

void TestDatabase::set_reachable(bool reachable) const {
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction tx(admin);
  tx.exec("ALTER DATABASE " + tx.quote_name(name_) + " WITH ALLOW_CONNECTIONS " +
          (reachable ? "true" : "false"));
  if (!reachable) {
    tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " +
            tx.quote(name_) + " AND pid <> pg_backend_pid()");
  }
}

}  // namespace lienthong::testing

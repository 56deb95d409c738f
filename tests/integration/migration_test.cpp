#include <unistd.h>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "lienthong/registry/migrator.hpp"

#include "test_environment.hpp"

namespace lienthong::testing {
namespace {

TEST(Migrations, AreRecordedAndApplyOnlyOnce) {
  TestDatabase database;  // a copy of a database every migration was applied to once
  const auto names = registry::migration_names();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "0001_initial.sql");
  EXPECT_EQ(database.scalar("SELECT count(*) FROM schema_migrations"),
            std::to_string(names.size()));

  const auto again = registry::migrate(database.url());
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.already.size(), names.size());
}

// Test databases are copies of one migrated template; this one starts empty.
TEST(Migrations, AnEmptyDatabaseGetsEveryMigrationInOrder) {
  const std::string name = "lt_test_empty_" + std::to_string(::getpid());
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + name);
  pqxx::nontransaction(admin).exec("CREATE DATABASE " + name);
  const auto report = registry::migrate(database_url(name));
  EXPECT_EQ(report.applied, registry::migration_names());
  EXPECT_TRUE(report.already.empty());
  pqxx::nontransaction(admin).exec("DROP DATABASE " + name + " WITH (FORCE)");
}

TEST(Migrations, AreNumberedAndInOrder) {
  const auto names = registry::migration_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(std::stoi(names[i].substr(0, 4)), static_cast<int>(i + 1)) << names[i];
  }
}

TEST(Migrations, CreateTheRegistryAndAuditTables) {
  TestDatabase database;
  for (const char* table : {"members", "systems", "credentials", "services", "audit_records"}) {
    EXPECT_EQ(database.scalar(std::string("SELECT to_regclass('") + table + "') IS NOT NULL"), "t")
        << table;
  }
}

TEST(Migrations, RejectMalformedIdentifiersInTheDatabaseItself) {
  TestDatabase database;
  EXPECT_THROW(database.execute("INSERT INTO members (instance, member_class, member_code, name) "
                                "VALUES ('VN', 'GOV', 'bad code', 'x')"),
               std::exception);
  EXPECT_THROW(database.execute("INSERT INTO members (instance, member_class, member_code, name) "
                                "VALUES ('VN', 'XYZ', 'A', 'x')"),
               std::exception);
}

}  // namespace
}  // namespace lienthong::testing

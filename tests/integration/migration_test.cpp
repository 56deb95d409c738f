#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

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

// An upgrade with messages still queued: 0010 moves each queued message's
// body out of `deliveries`, and the body a worker claims is the one sent.
TEST(Migrations, QueuedMessagesKeepTheirBodiesThroughTheBodyTableMigration) {
  const std::string name = "lt_test_upgrade_" + std::to_string(::getpid());
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + name);
  pqxx::nontransaction(admin).exec("CREATE DATABASE " + name);
  const auto before = registry::migrate(database_url(name), "0009_shared_limits.sql");
  EXPECT_EQ(before.applied.back(), "0009_shared_limits.sql");
  EXPECT_THROW(registry::migrate(database_url(name), "0099_none.sql"), std::invalid_argument);
  {
    pqxx::connection connection(database_url(name));
    pqxx::work work(connection);
    work.exec(
        "WITH m AS (INSERT INTO members (instance, member_class, member_code, name) "
        "VALUES ('VN', 'GOV', 'M1', 'Member') RETURNING id), "
        "s AS (INSERT INTO systems (member_id, system_code, name) "
        "SELECT id, 'S1', 'System' FROM m RETURNING id) "
        "INSERT INTO deliveries (message_id, consumer_system_id, consumer, provider_system_id, "
        "service, request_id, request_body, request_sha256, max_attempts) "
        "SELECT 'queued-' || n, s.id, 'VN/GOV/M1/S1', s.id, 'VN/GOV/M1/S1/echo/v1', 'req', "
        "'{\"n\":' || n || ',\"ten\":\"Nguyễn\"}', "
        "encode(sha256(convert_to('{\"n\":' || n || ',\"ten\":\"Nguyễn\"}', 'UTF8')), 'hex'), "
        "3 FROM s, generate_series(1, 3) AS n");
    work.commit();
  }
  const auto after = registry::migrate(database_url(name));
  EXPECT_EQ(after.applied, std::vector<std::string>{"0010_delivery_bodies.sql"});
  {
    pqxx::connection connection(database_url(name));
    pqxx::read_transaction read(connection);
    const auto value = [&read](const std::string& sql) {
      return read.exec1(sql)[0].as<std::string>();
    };
    EXPECT_EQ(
        value("SELECT string_agg(b.request_body, ' ' ORDER BY d.message_id) FROM deliveries d "
              "JOIN delivery_bodies b ON b.delivery_id = d.id"),
        R"({"n":1,"ten":"Nguyễn"} {"n":2,"ten":"Nguyễn"} {"n":3,"ten":"Nguyễn"})");
    EXPECT_EQ(value("SELECT count(*) FROM deliveries d JOIN delivery_bodies b "
                    "ON b.delivery_id = d.id WHERE encode(sha256(convert_to(b.request_body, "
                    "'UTF8')), 'hex') = d.request_sha256"),
              "3");
    EXPECT_EQ(value("SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = "
                    "'deliveries' AND column_name = 'request_body')"),
              "f");
  }
  pqxx::nontransaction(admin).exec("DROP DATABASE " + name + " WITH (FORCE)");
}

}  // namespace
}  // namespace lienthong::testing

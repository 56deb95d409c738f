#pragma once
// Applies the numbered SQL migrations in schemas/sql/ (embedded in the binary
// at build time) in order, each in its own transaction, recording each in
// schema_migrations. Running it again applies nothing new.

#include <string>
#include <vector>

namespace lienthong::registry {

struct MigrationReport {
  std::vector<std::string> applied;  // names applied by this run, in order
  std::vector<std::string> already;  // names found already applied
};

// Throws std::runtime_error naming the failing migration; earlier ones stay applied.
MigrationReport migrate(const std::string& database_url);

// The embedded migration names, in order.
std::vector<std::string> migration_names();

// Lower-case hex SHA-256 over the embedded migrations' names and text, in
// order: two binaries with the same digest build the same schema.
std::string migrations_digest();

}  // namespace lienthong::registry

#pragma once
// What the integration tests need from scripts/test.sh: a PostgreSQL cluster
// (LT_TEST_PG_URL, an admin URL) and a test PKI (LT_TEST_PKI_DIR). Missing
// either is a failure, never a silent skip.

#include <chrono>
#include <string>

namespace lienthong::testing {

std::string admin_database_url();  // e.g. postgresql://u:p@127.0.0.1:54329/postgres
std::string database_url(const std::string& database);  // the same cluster, another database
std::string pki_dir();
std::string pki_file(const std::string& name);  // pki_dir() + "/" + name
// A whole file's bytes (empty when it cannot be read).
std::string read_text(const std::string& path);

// Tests whose expectations name a UTC day or month (roll-ups, archives) call
// this first: within `margin` of midnight UTC it waits until just after it,
// so the day cannot change under the test.
void avoid_utc_midnight(std::chrono::seconds margin = std::chrono::seconds(120));

// A fresh database with every migration applied; dropped on destruction.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // Runs SQL and returns the first column of the first row ("" if none, "NULL" if null).
  std::string scalar(const std::string& sql) const;
  void execute(const std::string& sql) const;
  // Cuts every connection to this database off and refuses new ones (as if
  // PostgreSQL were down for it), or lets them in again.
  void set_reachable(bool reachable) const;

 private:
  std::string name_;
  std::string url_;
};

}  // namespace lienthong::testing

#pragma once
// A hub node as a separate `lienthong serve` process, configured through the
// environment like a deployed node, for tests with several nodes on one
// database. Started ready (its /readyz answered 200) and stopped with SIGTERM.

#include <cstdint>
#include <string>
#include <sys/types.h>

namespace lienthong::testing {

class HubProcess {
 public:
  HubProcess(const std::string& node_name, const std::string& database_url);
  ~HubProcess();
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  std::uint16_t exchange_port() const { return exchange_port_; }
  std::uint16_t admin_port() const { return admin_port_; }

 private:
  std::uint16_t exchange_port_;
  std::uint16_t admin_port_;
  pid_t pid_ = -1;
};

// Runs `lienthong ARGS...` against `database_url` and returns its exit code
// and what it printed (standard output and error).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_lienthong(const std::string& arguments, const std::string& database_url);

// A loopback TCP port that was free a moment ago.
std::uint16_t free_port();

}  // namespace lienthong::testing

#pragma once
// A hub node as a separate `lienthong serve` process, configured through the
// environment like a deployed node, for tests with several nodes on one
// database. Started ready (its /readyz answered 200) and stopped with SIGTERM.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <sys/types.h>

namespace lienthong::testing {

struct HubProcessOptions {
  // Settings by environment name without the prefix ("LOG_LEVEL" -> "debug");
  // they win over the defaults the class sets; an empty value unsets one.
  std::map<std::string, std::string> settings;
  std::string config_file;  // LIENTHONG_CONFIG; none when empty
  std::string output_file;  // standard output and error go here; inherited when empty
};

class HubProcess {
 public:
  HubProcess(const std::string& node_name, const std::string& database_url,
             const HubProcessOptions& options = {});
  ~HubProcess();

  void send_signal(int signal) const;
  // The exit code once the process has exited (128 + the signal if one ended
  // it), or -1 when it is still running after `timeout`.
  int wait_for_exit(std::chrono::milliseconds timeout);
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
// Runs a shell command; its exit code and what it printed (both streams).
CommandResult run_command(const std::string& command);
// `environment`: more VAR=value settings for it ("" for none).
CommandResult run_lienthong(const std::string& arguments, const std::string& database_url,
                            const std::string& environment = "");

// A loopback TCP port that was free a moment ago.
std::uint16_t free_port();

}  // namespace lienthong::testing

#pragma once
// A Python program from tests/ (an independent SOAP stack, say) as a child
// process on loopback. It prints its port on its first line of output and
// serves until its stdin closes, so it never outlives the test, however the
// test ends. Debian's interpreter (/usr/bin/python3), where the packages
// scripts/install-deps.sh installs (python3-spyne, python3-zeep) live.

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace lienthong::testing {

inline constexpr const char* kPython = "/usr/bin/python3";

class PythonProcess {
 public:
  // Starts tests/<script> with `arguments`; returns once it printed its port.
  explicit PythonProcess(const std::string& script, std::vector<std::string> arguments = {});
  ~PythonProcess();
  PythonProcess(const PythonProcess&) = delete;
  PythonProcess& operator=(const PythonProcess&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  std::uint16_t port_ = 0;
};

// Runs tests/<script> with `arguments` to completion; its standard output,
// or std::runtime_error when it fails.
std::string run_python(const std::string& script, const std::vector<std::string>& arguments);

}  // namespace lienthong::testing

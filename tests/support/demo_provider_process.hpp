#pragma once
// A demo provider system (`lienthong-demo provider`) as a separate process on
// a loopback port, so a test can kill it the hard way and start it again.

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace lienthong::testing {

class DemoProviderProcess {
 public:
  // Serves demo system `name` on 127.0.0.1:`port`, with `extra` arguments
  // (e.g. {"--claims-journal", path}); returns once the port accepts.
  DemoProviderProcess(const std::string& name, std::uint16_t port,
                      std::vector<std::string> extra = {});
  ~DemoProviderProcess();
  DemoProviderProcess(const DemoProviderProcess&) = delete;
  DemoProviderProcess& operator=(const DemoProviderProcess&) = delete;

  // SIGKILL: no goodbye, connections cut mid-answer.
  void kill();

 private:
  pid_t pid_ = -1;
};

}  // namespace lienthong::testing

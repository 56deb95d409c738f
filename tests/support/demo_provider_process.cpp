#include "demo_provider_process.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <netinet/in.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace lienthong::testing {
namespace {

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool connected =
      fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  if (fd >= 0)
    ::close(fd);
  return connected;
}

}  // namespace

DemoProviderProcess::DemoProviderProcess(const std::string& name, std::uint16_t port,
                                         std::vector<std::string> extra) {
  std::vector<std::string> arguments{LIENTHONG_DEMO_BINARY,
                                     "provider",
                                     "--log-level",
                                     "error",
                                     "--serve",
                                     name + "=127.0.0.1:" + std::to_string(port)};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& argument : arguments)
    argv.push_back(argument.data());
  argv.push_back(nullptr);
  if (::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot start the demo provider");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!accepts(port)) {
    if (std::chrono::steady_clock::now() > deadline || ::waitpid(pid_, nullptr, WNOHANG) == pid_)
      throw std::runtime_error("the demo provider " + name + " did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

DemoProviderProcess::~DemoProviderProcess() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
}

void DemoProviderProcess::kill() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace lienthong::testing

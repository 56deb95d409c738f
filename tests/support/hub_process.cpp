#include "hub_process.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "test_client.hpp"
#include "test_environment.hpp"

extern char** environ;

namespace lienthong::testing {

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

namespace {

// "exchange PORT\nadmin PORT\n" from a node's ports file, once it is there.
bool read_ports(const std::string& path, std::uint16_t& exchange, std::uint16_t& admin) {
  std::ifstream file(path);
  std::string name;
  int port = 0;
  int found = 0;
  while (file >> name >> port) {
    if (name == "exchange") {
      exchange = static_cast<std::uint16_t>(port);
      ++found;
    } else if (name == "admin") {
      admin = static_cast<std::uint16_t>(port);
      ++found;
    }
  }
  return found == 2;
}

}  // namespace

// Both listeners on port 0: the node binds what the system gives it and says
// which in its ports file, so no other test can take a port in between.
HubProcess::HubProcess(const std::string& node_name, const std::string& database_url,
                       const HubProcessOptions& options)
    : exchange_port_(0), admin_port_(0) {
  static std::atomic<int> started{0};
  const std::string ports_file =
      (std::filesystem::temp_directory_path() /
       ("lienthong-ports-" + std::to_string(::getpid()) + "-" + std::to_string(++started)))
          .string();
  std::filesystem::remove(ports_file);
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "LIENTHONG_", 10) != 0)
      variables.emplace_back(*entry);
  }
  std::map<std::string, std::string> settings{
      {"NODE_NAME", node_name},
      {"DATABASE_URL", database_url},
      {"NODE_PORTS_FILE", ports_file},
      {"EXCHANGE_LISTEN", "127.0.0.1:0"},
      {"EXCHANGE_THREADS", "1"},
      {"ADMIN_LISTEN", "127.0.0.1:0"},
      {"ADMIN_WORKERS", "1"},
      {"REGISTRY_RECONNECT_MS", "100"},
      {"TLS_CERTIFICATE", pki_file("hub.crt")},
      {"TLS_PRIVATE_KEY", pki_file("hub.key")},
      {"TLS_CLIENT_CA", pki_file("ca.crt")},
      {"AUDIT_SIGNING_KEY", pki_file("audit-signing.key")},
      {"PROVIDER_CREDENTIALS_KEY", pki_file("provider-credentials.key")},
      {"AUDIT_BODY_KEY", pki_file("audit-bodies.key")},
      {"LOG_LEVEL", "warn"}};
  for (const auto& [name, value] : options.settings) {
    if (value.empty())
      settings.erase(name);
    else
      settings[name] = value;
  }
  if (!options.config_file.empty())
    settings["CONFIG"] = options.config_file;
  for (const auto& [name, value] : settings)
    variables.push_back("LIENTHONG_" + name + "=" + value);
  std::vector<char*> envp;
  for (auto& variable : variables)
    envp.push_back(variable.data());
  envp.push_back(nullptr);
  std::string binary = LIENTHONG_BINARY;
  std::string command = "serve";
  char* argv[] = {binary.data(), command.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!options.output_file.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, options.output_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  const int spawned = ::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0)
    throw std::runtime_error("cannot start " + binary);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("hub process " + node_name + " exited at start");
    }
    if (admin_port_ == 0 && read_ports(ports_file, exchange_port_, admin_port_))
      std::filesystem::remove(ports_file);
    if (admin_port_ != 0) {
      try {
        TestClient probe(admin_port_, std::nullopt);
        if (probe.request("GET", "/readyz", "", "").status == 200)
          return;
      } catch (const std::exception&) {
        // not ready yet
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("hub process " + node_name + " did not become ready in 20 s");
}

HubProcess::~HubProcess() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

void HubProcess::send_signal(int signal) const {
  if (pid_ > 0)
    ::kill(pid_, signal);
}

int HubProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

CommandResult run_lienthong(const std::string& arguments, const std::string& database_url,
                            const std::string& environment) {
  return run_command("LIENTHONG_CONFIG= LIENTHONG_DATABASE_URL='" + database_url + "' " +
                     environment + " " + LIENTHONG_BINARY + " " + arguments);
}

CommandResult run_command(const std::string& shell_command) {
  const std::string command = shell_command + " 2>&1";
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    throw std::runtime_error("cannot run " + command);
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace lienthong::testing

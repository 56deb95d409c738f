#include "python_process.hpp"

#include <array>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace lienthong::testing {
namespace {

std::string script_path(const std::string& script) {
  return std::string(LIENTHONG_SOURCE_DIR) + "/tests/" + script;
}

// Runs the interpreter with its stdin and stdout connected to pipes.
pid_t spawn(const std::string& script, const std::vector<std::string>& arguments, int& input,
            int& output) {
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  std::vector<std::string> words{kPython, script_path(script)};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& word : words)
    argv.push_back(word.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, kPython, &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (spawned != 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    throw std::runtime_error(std::string("cannot start ") + kPython);
  }
  input = to_child[1];
  output = from_child[0];
  return pid;
}

// Reads until end of file, or until the first line when `line`, waiting at
// most `seconds` for each read.
std::string read_from(int fd, bool line, int seconds) {
  std::string text;
  std::array<char, 4096> buffer{};
  while (!line || text.find('\n') == std::string::npos) {
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, seconds * 1000) != 1)
      throw std::runtime_error("no output from the Python process in time");
    const auto n = ::read(fd, buffer.data(), buffer.size());
    if (n <= 0)
      break;
    text.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return text;
}

}  // namespace

PythonProcess::PythonProcess(const std::string& script, std::vector<std::string> arguments) {
  int output = -1;
  pid_ = spawn(script, arguments, stdin_, output);
  std::string first;
  try {
    first = read_from(output, true, 20);
  } catch (...) {
    ::close(output);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    ::close(stdin_);
    throw;
  }
  ::close(output);
  port_ = static_cast<std::uint16_t>(std::stoi(first));
}

PythonProcess::~PythonProcess() {
  ::close(stdin_);  // the program's signal to stop
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
}

std::string run_python(const std::string& script, const std::vector<std::string>& arguments) {
  int input = -1;
  int output = -1;
  const pid_t pid = spawn(script, arguments, input, output);
  ::close(input);
  std::string text;
  try {
    text = read_from(output, false, 60);
  } catch (...) {
    ::kill(pid, SIGKILL);
  }
  ::close(output);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(script + " failed (status " + std::to_string(status) + ")");
  return text;
}

}  // namespace lienthong::testing

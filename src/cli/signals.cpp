#include <csignal>
#include <functional>

#include "commands.hpp"

namespace lienthong::cli {
namespace {

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void block_termination_signals() {
  const sigset_t set = termination_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_signal(const std::function<void()>& on_hangup) {
  const sigset_t set = termination_signals();
  for (;;) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0)
      continue;
    if (signal == SIGHUP && on_hangup) {
      on_hangup();
      continue;
    }
    return signal;
  }
}

}  // namespace lienthong::cli

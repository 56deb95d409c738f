// lienthong-demo: the demo's provider systems and synthetic data, kept out of
// the hub's own executable so that a production install carries no demo data.
#include <iostream>

#include <CLI/CLI.hpp>

#include "demo_commands.hpp"

int main(int argc, char** argv) {
  using namespace lienthong;
  CLI::App app{"Lienthong demo: provider systems and synthetic datasets for trying the hub"};
  app.set_version_flag("--version", std::string("lienthong-demo ") + LIENTHONG_VERSION);
  app.require_subcommand(1);
  const auto run_demo_command = cli::add_demo_commands(app);
  CLI11_PARSE(app, argc, argv);
  try {
    if (const auto done = run_demo_command())
      return *done;
  } catch (const std::exception& e) {
    std::cerr << "lienthong-demo: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

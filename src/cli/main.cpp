// lienthong: the hub's single executable. Parses the command line and hands
// over to one subcommand; all wiring lives in Hub and the *_command files.
#include <iostream>

#include <CLI/CLI.hpp>

#include "lienthong/core/config.hpp"

#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace lienthong;
  CLI::App app{"Lienthong: data-exchange hub for government information systems"};
  app.set_version_flag("--version", std::string("lienthong ") + LIENTHONG_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // --config may follow the subcommand

  std::string config_path;
  if (const char* from_env = std::getenv("LIENTHONG_CONFIG"))
    config_path = from_env;
  app.add_option("-c,--config", config_path, "TOML configuration file (env LIENTHONG_CONFIG)");

  auto* serve = app.add_subcommand("serve", "Run a hub node (exchange listener)");
  auto* migrate = app.add_subcommand("migrate", "Apply the database migrations");
  auto* settings = app.add_subcommand("settings", "List every setting and its environment name");
  auto* demo = app.add_subcommand("demo-provider", "Run the demo provider systems (plain HTTP)");
  std::vector<std::string> demo_systems;
  std::string demo_log_level = "info";
  demo->add_option("--serve", demo_systems, "NAME=HOST:PORT (names: population, business)")
      ->required();
  demo->add_option("--log-level", demo_log_level, "trace, debug, info, warn, error");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*serve)
      return cli::run_serve(config_path);
    if (*migrate)
      return cli::run_migrate(config_path);
    if (*demo)
      return cli::run_demo_provider(demo_systems, demo_log_level);
    if (*settings) {
      for (const auto& [key, env] : describe_settings())
        std::cout << key << "  " << env << "\n";
      return 0;
    }
  } catch (const ConfigError& e) {
    std::cerr << "lienthong: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lienthong: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

#include <csignal>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "lienthong/cli/hub.hpp"
#include "lienthong/registry/migrator.hpp"

#include "commands.hpp"

namespace lienthong::cli {

std::shared_ptr<spdlog::logger> make_logger(const std::string& level) {
  auto logger = spdlog::stdout_color_mt("lienthong");
  logger->set_level(spdlog::level::from_str(level));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%t] %v");
  logger->flush_on(spdlog::level::info);
  return logger;
}

int run_serve(const std::string& config_path) {
  const Config config = load_config(config_path, process_environment());
  auto logger = make_logger(config.log.level);
  block_termination_signals();
  Hub hub(config, logger);
  hub.start();
  const int signal = wait_for_signal([&] {
    logger->info("SIGHUP: reloading the registry");
    (void)hub.reload_registry();
  });
  logger->info("signal {}: stopping", signal);
  hub.stop();
  return 0;
}

int run_migrate(const std::string& config_path) {
  const Config config = load_config(config_path, process_environment());
  if (config.database.url.empty()) {
    throw ConfigError("database.url: not set (LIENTHONG_DATABASE_URL or [database] url)");
  }
  const auto report = registry::migrate(config.database.url);
  for (const auto& name : report.applied)
    std::cout << "applied  " << name << "\n";
  std::cout << report.applied.size() << " applied, " << report.already.size()
            << " already applied\n";
  return 0;
}

}  // namespace lienthong::cli

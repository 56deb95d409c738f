#include <csignal>
#include <iostream>

#include <spdlog/spdlog.h>

#include "lienthong/cli/hub.hpp"
#include "lienthong/observability/log_context.hpp"
#include "lienthong/registry/migrator.hpp"

#include "commands.hpp"

namespace lienthong::cli {

std::shared_ptr<spdlog::logger> make_logger(const std::string& level, const std::string& format) {
  auto logger = observability::make_stdout_logger(
      "lienthong",
      observability::parse_log_format(format).value_or(observability::LogFormat::kText));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  return logger;
}

int run_serve(const std::string& config_path) {
  const Config config = load_config(config_path, process_environment());
  auto logger = make_logger(config.log.level, config.log.format);
  block_termination_signals();
  Hub hub(config, logger);
  hub.start();
  const int signal = wait_for_signal([&] {
    logger->info("SIGHUP: reloading the configuration, the TLS files and the registry");
    try {
      (void)hub.reload(load_config(config_path, process_environment()));
    } catch (const std::exception& e) {
      logger->error("reload: {}; nothing was changed", e.what());
    }
  });
  logger->info("signal {}: stopping", signal);
  const bool drained = hub.shutdown();
  logger->info("{}; flushing the audit queue",
               drained ? "every request in flight was answered" : "shutdown grace period over");
  return 0;  // ~Hub commits what the audit queue holds
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

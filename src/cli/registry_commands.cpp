#include <filesystem>
#include <fstream>
#include <iostream>
#include <pwd.h>
#include <sstream>
#include <unistd.h>

#include "lienthong/admin/admin_tokens.hpp"
#include "lienthong/admin/registry_file.hpp"
#include "lienthong/core/config.hpp"

#include "commands.hpp"

namespace lienthong::cli {
namespace {

std::string database_url(const std::string& config_path) {
  const Config config = load_config(config_path, process_environment());
  if (config.database.url.empty())
    throw ConfigError("database.url: not set (LIENTHONG_DATABASE_URL or [database] url)");
  return config.database.url;
}

}  // namespace

std::string cli_actor(const std::string& command) {
  const passwd* account = ::getpwuid(::geteuid());
  const std::string user =
      account != nullptr ? account->pw_name : "uid " + std::to_string(::geteuid());
  return "cli " + command + " (" + user + ")";
}

int report_error(const Error& error) {
  std::cerr << "lienthong: " << error.code_name() << ": " << error.detail << "\n";
  for (const auto& field : error.fields)
    std::cerr << "  " << field.pointer << ": " << field.detail << "\n";
  return 1;
}

int run_token_create(const std::string& config_path, const TokenOptions& options) {
  admin::TokenRequest request{options.role, std::nullopt, options.label, std::nullopt};
  if (!options.member.empty())
    request.member = options.member;
  if (!options.expires_at.empty())
    request.expires_at = options.expires_at;
  auto token =
      admin::issue_admin_token(database_url(config_path), request, cli_actor("token create"));
  if (!token.has_value())
    return report_error(token.error());
  std::cout << token.value() << "\n";
  std::cerr << "(shown once: the hub stores only its SHA-256)\n";
  return 0;
}

int run_registry_apply(const std::string& config_path, const std::string& file, bool dry_run,
                       bool prune) {
  std::ifstream input(file);
  if (!input)
    throw std::runtime_error("cannot read " + file);
  std::stringstream text;
  text << input.rdbuf();
  admin::ApplyOptions options;
  options.dry_run = dry_run;
  options.prune = prune;
  options.actor = cli_actor("registry apply " + file);
  options.base_directory = std::filesystem::path(file).parent_path().string();
  if (options.base_directory.empty())
    options.base_directory = ".";
  auto report = admin::apply_registry(database_url(config_path), text.str(), options);
  if (!report.has_value())
    return report_error(report.error());
  for (const auto& line : report.value())
    std::cout << line << "\n";
  std::cout << report.value().size() << " change(s)"
            << (dry_run ? " would be made (dry run: nothing changed)" : " applied") << "\n";
  return 0;
}

int run_registry_export(const std::string& config_path, const std::string& format) {
  auto document = admin::export_registry(
      database_url(config_path),
      format == "yaml" ? admin::ExportFormat::kYaml : admin::ExportFormat::kJson);
  if (!document.has_value())
    return report_error(document.error());
  std::cout << document.value();
  return 0;
}

}  // namespace lienthong::cli

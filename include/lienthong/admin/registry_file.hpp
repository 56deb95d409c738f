#pragma once
// Declarative registry files: `lienthong registry apply FILE` makes the
// registry match a JSON or YAML document (members, systems, json_schemas, services,
// credentials, agreements), and `lienthong registry export` writes one.
// Apply runs every change through the same validation, authorization and
// admin-change log as the admin API, as a hub-admin, in one transaction:
// a file with one bad entry changes nothing. A dry run performs the same
// work and rolls it back, so its report is exactly what apply would do.

#include <string>
#include <string_view>
#include <vector>

#include "lienthong/core/result.hpp"

namespace lienthong::admin {

struct ApplyOptions {
  bool dry_run = false;
  // Entities the file lacks are disabled (systems, services), revoked
  // (certificates, agreements) or deprecated (JSON Schemas); never deleted,
  // since audit records refer to them. Members are never pruned.
  bool prune = false;
  std::string actor = "registry-apply";  // recorded in the admin-change log
  std::string base_directory = ".";      // for relative certificate_file paths
};

// One line per change: "+ systems VN/GOV/000.00.00.G03/DANCU",
// "~ services VN/.../v1: name, timeout_ms", "- agreements ... (revoke)".
using ApplyReport = std::vector<std::string>;

// `document` is JSON when it starts with '{', YAML otherwise.
Result<ApplyReport> apply_registry(const std::string& database_url, std::string_view document,
                                   const ApplyOptions& options);

enum class ExportFormat { kJson, kYaml };

// The registry as a document apply accepts. API keys and revoked or
// rejected entries are not exported.
Result<std::string> export_registry(const std::string& database_url,
                                    ExportFormat format = ExportFormat::kJson);

}  // namespace lienthong::admin

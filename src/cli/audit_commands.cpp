// `lienthong audit verify`: recompute the audit chains and checkpoints
// straight from PostgreSQL and say precisely where they break.
// `lienthong audit archive` / `verify-archive`: retention by month, and the
// offline check of what it wrote.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/audit/audit_archive.hpp"
#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_verifier.hpp"
#include "lienthong/audit/audit_witness.hpp"
#include "lienthong/audit/trusted_timestamp.hpp"
#include "lienthong/core/config.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/timestamp.hpp"
#include "lienthong/evidence/digest_stamp.hpp"

#include "audit_heads_file.hpp"
#include "commands.hpp"

namespace lienthong::cli {
namespace {

std::optional<audit::TimePoint> time_option(const std::string& name, const std::string& value) {
  if (value.empty())
    return std::nullopt;
  const auto parsed = parse_rfc3339(value);
  if (!parsed)
    throw ConfigError("--" + name + " must be an RFC 3339 time or a date, e.g. 2026-11-27");
  return parsed;
}

void print_summary(const audit::VerifyReport& report) {
  for (const auto& chain : report.chains) {
    std::cout << "node " << chain.node << ": ";
    if (chain.problem) {
      std::cout << "BROKEN (" << chain.problem->kind << ") at record " << chain.problem->seq;
      if (chain.problem->record_id)
        std::cout << " (audit_records.id " << *chain.problem->record_id << ")";
      std::cout << ": " << chain.problem->detail << "\n";
      continue;
    }
    if (chain.to_seq == 0 && chain.archived_to_seq == 0)
      std::cout << "no records yet (" << chain.checkpoints_checked << " checkpoints";
    else
      std::cout << "records " << chain.from_seq << ".." << chain.to_seq << " verified ("
                << chain.records_checked << " records, " << chain.checkpoints_checked
                << " checkpoints";
    if (chain.unsealed_records > 0)
      std::cout << ", " << chain.unsealed_records << " after the last checkpoint";
    if (chain.archived_to_seq > 0)
      std::cout << "; records 1.." << chain.archived_to_seq << " archived to files";
    if (chain.witnessed_checked > 0)
      std::cout << "; held to " << chain.witnessed_checked << " witnessed checkpoints";
    if (chain.witnessed_archived > 0)
      std::cout << ", " << chain.witnessed_archived << " more in archived records";
    if (chain.timestamps_checked > 0)
      std::cout << "; " << chain.timestamps_checked << " trusted timestamps";
    std::cout << ")\n";
    if (!chain.to_hash.empty())
      std::cout << "  head: record " << chain.to_seq << ", link " << chain.to_hash << "\n";
  }
  if (report.chains.empty())
    std::cout << "no audit chains yet\n";
  if (report.unchained_records > 0)
    std::cout << report.unchained_records << " records predate the chain and cannot be verified\n";
  std::cout << (report.ok() ? "OK: the audit log is complete and unaltered\n"
                            : "FAILED: the audit log does not verify (see above)\n");
}

}  // namespace

int run_audit_verify(const std::string& config_path, const AuditVerifyOptions& options) {
  const Config config = load_config(config_path, process_environment());
  audit::VerifyOptions verify;
  verify.from = time_option("from", options.from);
  verify.to = time_option("to", options.to);
  if (!options.node.empty())
    verify.node = options.node;
  verify.trusted_key_ids = options.trusted_keys;
  if (!options.expect.empty()) {
    if (verify.from || verify.to)
      throw ConfigError("--expect holds whole chains to their heads: leave out --from and --to");
    verify.expected_heads = read_heads_file(options.expect);
  }
  if (options.max_unsealed_hours > 0)
    verify.unsealed_limit = std::chrono::hours(options.max_unsealed_hours);
  else
    verify.unsealed_limit.reset();
  const std::string witness_dir =
      options.witness.empty() ? config.audit.witness_dir : options.witness;
  // The authority's CA: the option's, else the configured one.
  if (const std::string tsa_ca =
          options.tsa_ca.empty() ? config.audit.timestamp_ca : options.tsa_ca;
      !tsa_ca.empty())
    verify.timestamp_trust = std::make_shared<const audit::TsaTrust>(read_tsa_ca(tsa_ca));

  pqxx::connection connection(config.database.url);
  pqxx::read_transaction tx(connection);
  std::optional<audit::WitnessReading> witnessed;
  if (!witness_dir.empty()) {
    try {
      witnessed = audit::read_witnesses(witness_dir, audit::standby_horizon(tx));
    } catch (const std::runtime_error& e) {
      throw ConfigError(e.what());
    }
    verify.witnessed_heads = witnessed->heads;
  }
  const auto report = audit::verify_audit_log(tx, verify);
  if (options.json)
    std::cout << audit::report_json(report).dump(2) << "\n";
  else
    print_summary(report);
  if (witnessed) {
    // To stderr, as below: with --json, stdout is the report alone.
    std::cerr << "held to " << witnessed->heads.size() << " witnessed checkpoint(s) from "
              << witnessed->files << " file(s) in " << witness_dir;
    if (verify.from || verify.to)
      std::cerr << " (not checked: witnesses hold whole chains; leave out --from and --to)";
    if (witnessed->too_recent > 0)
      std::cerr << " (" << witnessed->too_recent
                << " signed too recently for this standby to hold: left out)";
    if (witnessed->unreadable_lines > 0)
      std::cerr << "; " << witnessed->unreadable_lines
                << " line(s) there are not checkpoints (one cut short when a node died "
                   "mid-write is expected)";
    std::cerr << "\n";
  }
  if (!options.save_heads.empty()) {
    // What it says goes to stderr: with --json, stdout is the report alone.
    if (!report.ok()) {
      std::cerr << "heads not saved to " << options.save_heads << ": the log does not verify\n";
    } else if (verify.from || verify.to || verify.node) {
      std::cerr << "heads not saved: --save-heads records whole chains (no --from, --to, --node)\n";
    } else {
      const auto heads = audit::verified_heads(report);
      write_heads_file(options.save_heads, heads);
      std::cerr << heads.size() << " chain head(s) saved to " << options.save_heads
                << "; keep the file outside the database and pass it to --expect next time\n";
    }
  }
  return report.ok() ? 0 : 3;  // 3: verified and found broken; 1 and 2: could not verify
}

audit::TsaTrust read_tsa_ca(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream pem;
  pem << in.rdbuf();
  auto trust = audit::TsaTrust::from_pem(pem.str());
  if (!in || !trust.has_value())
    throw ConfigError("--tsa-ca: cannot use " + path +
                      (trust.has_value() ? std::string() : ": " + trust.error().detail));
  return std::move(trust).value();
}

int run_audit_archive(const std::string& config_path, const AuditArchiveOptions& options) {
  const Config config = load_config(config_path, process_environment());
  audit::ArchiveOptions archive;
  archive.database_url = config.database.url;
  const auto month = audit::parse_month(options.month);
  if (!month)
    throw ConfigError("--month must be a month, e.g. 2026-10");
  archive.month = *month;
  archive.directory = options.directory.empty() ? config.audit.archive_dir : options.directory;
  archive.trusted_key_ids = options.trusted_keys;
  if (!config.audit.timestamp_url.empty()) {
    // With trusted timestamps on, the file is sealed by the authority too.
    if (config.audit.timestamp_ca.empty())
      throw ConfigError("audit.timestamp_url is set without audit.timestamp_ca");
    archive.timestamp_trust =
        std::make_shared<const audit::TsaTrust>(read_tsa_ca(config.audit.timestamp_ca));
    archive.seal_file = [&config, trust = archive.timestamp_trust](const std::string& sha256) {
      auto token = evidence::stamp_digest(config.audit.timestamp_url, *trust,
                                          from_hex(sha256).value_or(std::string()),
                                          std::chrono::seconds(30));
      if (!token.has_value())
        throw std::runtime_error(
            "the time-stamping authority did not seal the file, so nothing was dropped: " +
            token.error().detail);
      return token.value().der;
    };
  }
  const auto result = audit::archive_month(archive);
  std::cout << "archived " << result.records << " records of " << options.month << " to "
            << result.file.string() << "\nSHA-256 " << result.file_sha256
            << "\nverified from the file:\n";
  print_summary(result.verified);
  if (!result.seal_file.empty())
    std::cout << "sealed by the time-stamping authority: " << result.seal_file.string() << "\n";
  std::cout << "the month's partition was dropped; keep the file and its SHA-256\n";
  return 0;
}

int run_audit_verify_archive(const std::string& file, const AuditVerifyOptions& options) {
  std::vector<audit::VerifiedHead> witnessed;
  if (!options.witness.empty()) {
    try {
      witnessed = audit::read_witnesses(options.witness).heads;
    } catch (const std::runtime_error& e) {
      throw ConfigError(e.what());
    }
  }
  std::shared_ptr<const audit::TsaTrust> trust;
  if (!options.tsa_ca.empty())
    trust = std::make_shared<const audit::TsaTrust>(read_tsa_ca(options.tsa_ca));
  const auto report = audit::verify_archive_file(file, options.trusted_keys, witnessed, trust);
  // The file's seal, when it has one beside it: the authority dated these bytes.
  const std::filesystem::path seal = file + ".tsr";
  nlohmann::json sealed = nullptr;
  bool seal_holds = true;
  if (std::filesystem::exists(seal) && trust) {
    const auto checked = audit::verify_archive_seal(file, seal, *trust);
    seal_holds = checked.has_value();
    sealed = seal_holds
                 ? nlohmann::json{{"ok", true},
                                  {"file", seal.string()},
                                  {"generated_at", to_rfc3339(checked.value().generated_at)},
                                  {"tsa", checked.value().tsa_subject}}
                 : nlohmann::json{
                       {"ok", false}, {"file", seal.string()}, {"detail", checked.error().detail}};
  }
  if (options.json) {
    auto out = audit::report_json(report);
    out["seal"] = sealed;
    out["ok"] = report.ok() && seal_holds;
    std::cout << out.dump(2) << "\n";
  } else {
    print_summary(report);
    if (sealed.is_null() && std::filesystem::exists(seal))
      std::cout << "  seal " << seal.string() << " not checked: give --tsa-ca\n";
    else if (!sealed.is_null() && seal_holds)
      std::cout << "  sealed: the authority dated this file at " << sealed["generated_at"] << " ("
                << sealed["tsa"].get<std::string>() << ")\n";
    else if (!sealed.is_null())
      std::cout << "BROKEN: " << sealed["detail"].get<std::string>() << "\n";
  }
  return report.ok() && seal_holds ? 0 : 3;
}

}  // namespace lienthong::cli

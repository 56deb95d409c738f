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

  auto* token = app.add_subcommand("token", "Admin API tokens");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Create an admin token and print it once");
  cli::TokenOptions token_options;
  token_create->add_option("--role", token_options.role, "hub-admin, member-admin or auditor")
      ->required();
  token_create->add_option(
      "--member", token_options.member,
      "member identifier: required for member-admin; scopes an auditor to that member");
  token_create->add_option("--label", token_options.label, "who holds it")->required();
  token_create->add_option("--expires-at", token_options.expires_at,
                           "RFC 3339 expiry, e.g. 2027-12-31T00:00:00Z");

  auto* registry = app.add_subcommand("registry", "Declarative registry files");
  registry->require_subcommand(1);
  auto* apply = registry->add_subcommand("apply", "Make the registry match a JSON registry file");
  std::string apply_file;
  bool dry_run = false;
  bool prune = false;
  apply->add_option("file", apply_file, "registry file (JSON or YAML)")->required();
  apply->add_flag("--dry-run", dry_run, "print what would change, change nothing");
  apply->add_flag("--prune", prune, "disable or revoke what the file does not list");
  auto* export_command =
      registry->add_subcommand("export", "Print the registry as a registry file");
  std::string export_format = "json";
  export_command->add_option("--format", export_format, "json or yaml")
      ->check(CLI::IsMember({"json", "yaml"}));

  auto* credentials =
      app.add_subcommand("provider-credentials", "Passwords providers want from the hub");
  credentials->require_subcommand(1);
  auto* reseal = credentials->add_subcommand(
      "reseal",
      "Seal every provider registration again with provider.credentials_key, opening those "
      "sealed with provider.previous_credentials_key");

  auto* soap = app.add_subcommand("soap", "Legacy SOAP providers");
  soap->require_subcommand(1);
  auto* import_wsdl = soap->add_subcommand(
      "import-wsdl", "Propose SOAP bindings from a WSDL 1.1 file (imports: local files only)");
  std::string wsdl_file;
  import_wsdl->add_option("file", wsdl_file, "the WSDL file")->required();

  auto* audit = app.add_subcommand("audit", "The tamper-evident audit log");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand(
      "verify", "Recompute the audit hash chains and signed checkpoints (exit 3 if broken)");
  cli::AuditVerifyOptions verify_options;
  verify->add_option("--from", verify_options.from, "records received from (RFC 3339 or date)");
  verify->add_option("--to", verify_options.to, "records received until (RFC 3339 or date)");
  verify->add_option("--node", verify_options.node, "one node's chain only");
  verify->add_option("--trust", verify_options.trusted_keys,
                     "accept only checkpoints signed by these key ids (repeatable)");
  verify->add_flag("--json", verify_options.json, "print the report as JSON");
  verify->add_option("--expect", verify_options.expect,
                     "a heads file from an earlier --save-heads: fail if a chain no longer "
                     "reaches or passes through its head");
  verify->add_option("--save-heads", verify_options.save_heads,
                     "when the log verifies, write each chain's head to this file (keep it "
                     "outside the database)");
  verify->add_option("--tsa-ca", verify_options.tsa_ca,
                     "check every checkpoint's trusted timestamp against this authority's CA "
                     "(PEM; default: audit.timestamp_ca)");
  verify->add_option("--witness", verify_options.witness,
                     "hold the log to every checkpoint published in this witness directory "
                     "(default: audit.witness_dir)");
  verify
      ->add_option("--max-unsealed-hours", verify_options.max_unsealed_hours,
                   "fail when records this old have no checkpoint (0: do not check)")
      ->check(CLI::Range(0, 100'000))
      ->capture_default_str();
  auto* archive = audit->add_subcommand(
      "archive", "Move a past month of the audit log to an NDJSON file, then drop it");
  cli::AuditArchiveOptions archive_options;
  archive->add_option("--month", archive_options.month, "the month, YYYY-MM")->required();
  archive->add_option("--dir", archive_options.directory,
                      "where the file goes (default: audit.archive_dir)");
  archive->add_option("--trust", archive_options.trusted_keys,
                      "accept only checkpoints signed by these key ids (repeatable)");
  auto* verify_archive = audit->add_subcommand(
      "verify-archive", "Verify an archived month offline, from its file alone (exit 3 if broken)");
  std::string archive_file;
  cli::AuditVerifyOptions verify_archive_options;
  verify_archive->add_option("file", archive_file, "the audit-YYYY-MM.ndjson file")->required();
  verify_archive->add_option("--trust", verify_archive_options.trusted_keys,
                             "accept only checkpoints signed by these key ids (repeatable)");
  verify_archive->add_flag("--json", verify_archive_options.json, "print the report as JSON");
  verify_archive->add_option("--tsa-ca", verify_archive_options.tsa_ca,
                             "check the file's timestamp tokens and its seal (FILE.tsr) against "
                             "this authority's CA (PEM)");
  verify_archive->add_option("--witness", verify_archive_options.witness,
                             "hold the file to every checkpoint in this witness directory that "
                             "falls in its records");
  auto* evidence = audit->add_subcommand(
      "evidence", "Write one exchange's evidence file, which a third party checks alone");
  std::int64_t evidence_id = 0;
  std::string evidence_out = "-";
  bool evidence_without_bodies = false;
  evidence->add_option("id", evidence_id, "the audit record's id (GET /audit/v1/exchanges)")
      ->required();
  evidence->add_option("--out", evidence_out, "the file to write (- for standard output)")
      ->capture_default_str();
  evidence->add_flag("--without-bodies", evidence_without_bodies,
                     "leave out the kept request and response bodies");
  auto* verify_evidence = audit->add_subcommand(
      "verify-evidence", "Check an evidence file from the file alone (exit 3 if it does not hold)");
  std::string evidence_file, evidence_tsa_ca;
  bool evidence_json = false;
  verify_evidence->add_option("file", evidence_file, "the evidence file")->required();
  verify_evidence->add_option("--tsa-ca", evidence_tsa_ca,
                              "the authority's CA as you obtained it (PEM): the token must "
                              "verify against it too");
  verify_evidence->add_flag("--json", evidence_json, "print the result as JSON");
  auto* body_keys = audit->add_subcommand("body-keys",
                                          "List the data keys sealing kept bodies, per member "
                                          "and month, and which were shredded");
  bool body_keys_json = false;
  body_keys->add_flag("--json", body_keys_json, "print the keys as JSON");
  auto* shred = audit->add_subcommand(
      "shred-bodies",
      "Destroy a past month's body keys: its kept bodies become unreadable for "
      "good, the log still verifies");
  std::string shred_month, shred_member;
  shred->add_option("--month", shred_month, "the month, YYYY-MM (must have ended)")->required();
  shred->add_option("--member", shred_member,
                    "one member only, e.g. VN/GOV/000.00.00.G12 (default: every member)");

  auto* rewrap = audit->add_subcommand(
      "rewrap-body-keys",
      "Wrap every body data key under audit.body_key that "
      "audit.previous_body_key wrapped (a key change; e.g. a file to an HSM)");
  auto* hsm = app.add_subcommand("hsm", "Keys kept in a PKCS#11 token (an HSM)");
  hsm->require_subcommand(1);
  auto* generate_body_key =
      hsm->add_subcommand("generate-body-key",
                          "Generate the AES-256 key-encryption key for audit.body_key inside "
                          "the token (it never leaves it)");
  std::string token_uri;
  generate_body_key
      ->add_option("uri", token_uri,
                   "pkcs11:token=...;object=...?module-path=...&pin-source=file:...")
      ->required();
  auto* generate_signing_key =
      hsm->add_subcommand("generate-signing-key",
                          "Generate a node's Ed25519 checkpoint key for audit.signing_key "
                          "inside the token (it never leaves it)");
  generate_signing_key
      ->add_option("uri", token_uri,
                   "pkcs11:token=...;object=...?module-path=...&pin-source=file:...")
      ->required();

  CLI11_PARSE(app, argc, argv);
  try {
    if (*serve)
      return cli::run_serve(config_path);
    if (*migrate)
      return cli::run_migrate(config_path);
    if (*token_create)
      return cli::run_token_create(config_path, token_options);
    if (*apply)
      return cli::run_registry_apply(config_path, apply_file, dry_run, prune);
    if (*export_command)
      return cli::run_registry_export(config_path, export_format);
    if (*import_wsdl)
      return cli::run_soap_import_wsdl(wsdl_file);
    if (*reseal)
      return cli::run_provider_credentials_reseal(config_path);
    if (*verify)
      return cli::run_audit_verify(config_path, verify_options);
    if (*archive)
      return cli::run_audit_archive(config_path, archive_options);
    if (*verify_archive)
      return cli::run_audit_verify_archive(archive_file, verify_archive_options);
    if (*evidence)
      return cli::run_audit_evidence(config_path, evidence_id, evidence_out,
                                     evidence_without_bodies);
    if (*verify_evidence)
      return cli::run_audit_verify_evidence(evidence_file, evidence_tsa_ca, evidence_json);
    if (*body_keys)
      return cli::run_audit_body_keys(config_path, body_keys_json);
    if (*shred)
      return cli::run_audit_shred_bodies(config_path, shred_month, shred_member);
    if (*rewrap)
      return cli::run_audit_rewrap_body_keys(config_path);
    if (*generate_body_key)
      return cli::run_hsm_generate_body_key(token_uri);
    if (*generate_signing_key)
      return cli::run_hsm_generate_signing_key(token_uri);
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

#pragma once
// Private to cli/: one function per subcommand; main() only parses and dispatches.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lienthong/audit/trusted_timestamp.hpp"

namespace CLI {
class App;
}
namespace spdlog {
class logger;
}

namespace lienthong {
struct Error;
}

namespace lienthong::cli {

// Who ran a command, for the admin-change log: the operating-system
// account, since the command line has no token.
std::string cli_actor(const std::string& command);
// Prints the error (and its fields) on standard error; returns the exit code 1.
int report_error(const Error& error);

// A logger on standard output; `format` is "text" or "json" (log.format).
std::shared_ptr<spdlog::logger> make_logger(const std::string& level,
                                            const std::string& format = "text");

// Blocks SIGINT, SIGTERM and SIGHUP in this and every later thread, so that
// wait_for_signal() is the only place they are handled.
void block_termination_signals();
// Returns the signal received; SIGHUP calls `on_hangup` and keeps waiting.
int wait_for_signal(const std::function<void()>& on_hangup);

int run_serve(const std::string& config_path);
int run_migrate(const std::string& config_path);
struct TokenOptions {
  std::string role;
  std::string member;
  std::string label;
  std::string expires_at;
};
int run_token_create(const std::string& config_path, const TokenOptions& options);
int run_registry_apply(const std::string& config_path, const std::string& file, bool dry_run,
                       bool prune);
int run_registry_export(const std::string& config_path, const std::string& format);
int run_soap_import_wsdl(const std::string& file);
int run_provider_credentials_reseal(const std::string& config_path);
struct AuditVerifyOptions {
  std::string from;
  std::string to;
  std::string node;
  std::vector<std::string> trusted_keys;
  bool json = false;
  std::string expect;           // heads file a whole-chain verification must still extend
  std::string save_heads;       // where to write the verified heads when the log verifies
  std::string witness;          // witness directory; the config's audit.witness_dir when empty
  int max_unsealed_hours = 24;  // records older than this without a checkpoint fail; 0: no check
  std::string
      tsa_ca;  // trusted timestamps' authority CA; the config's audit.timestamp_ca when empty
};
int run_audit_verify(const std::string& config_path, const AuditVerifyOptions& options);
// The authority's CA certificates (PEM) at `path`; ConfigError naming --tsa-ca otherwise.
audit::TsaTrust read_tsa_ca(const std::string& path);
// `lienthong audit evidence ID`: audit record ID's evidence file, to `out`
// ("-": standard output), without kept bodies when `without_bodies`.
int run_audit_evidence(const std::string& config_path, std::int64_t id, const std::string& out,
                       bool without_bodies);
// `lienthong audit verify-evidence FILE`: 0 when it proves what it says, 3
// when a part does not hold; checked against `tsa_ca` too when not empty.
int run_audit_verify_evidence(const std::string& file, const std::string& tsa_ca, bool json);
// lienthong audit body-keys [--json] | shred-bodies --month M [--member M]
int run_audit_body_keys(const std::string& config_path, bool json);
int run_audit_shred_bodies(const std::string& config_path, const std::string& month,
                           const std::string& member);
// lienthong audit rewrap-body-keys: every data key under previous_body_key moved to body_key
int run_audit_rewrap_body_keys(const std::string& config_path);
// lienthong hsm generate-body-key URI: an AES-256 key made inside a PKCS#11 token
int run_hsm_generate_body_key(const std::string& uri);
// lienthong hsm generate-signing-key URI: a node's Ed25519 checkpoint key made inside a token
int run_hsm_generate_signing_key(const std::string& uri);
struct AuditArchiveOptions {
  std::string month;      // YYYY-MM
  std::string directory;  // the config's audit.archive_dir when empty
  std::vector<std::string> trusted_keys;
};
int run_audit_archive(const std::string& config_path, const AuditArchiveOptions& options);
int run_audit_verify_archive(const std::string& file, const AuditVerifyOptions& options);

}  // namespace lienthong::cli

// `lienthong audit evidence ID` and `verify-evidence FILE`: one exchange's
// evidence file, written from PostgreSQL and checked from the file alone
// (docs/evidence.md).
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/audit/record_proof.hpp"
#include "lienthong/core/config.hpp"
#include "lienthong/core/timestamp.hpp"
#include "lienthong/evidence/exchange_evidence.hpp"

#include "commands.hpp"

namespace lienthong::cli {

int run_audit_evidence(const std::string& config_path, std::int64_t id, const std::string& out,
                       bool without_bodies) {
  const Config config = load_config(config_path, process_environment());
  if (config.audit.timestamp_ca.empty())
    throw ConfigError(
        "audit.timestamp_ca is not set: evidence carries the authority's CA, and a hub without "
        "trusted timestamps has no evidence a third party can check");
  const audit::TsaTrust trust = read_tsa_ca(config.audit.timestamp_ca);
  pqxx::connection connection(config.database.url);
  pqxx::read_transaction tx(connection);
  // Sealed bodies open with the node's key-encryption key (audit.body_key).
  std::optional<audit::BodyOpener> opener;
  if (!without_bodies)
    opener.emplace(audit::configured_key_wrapper(config, audit::MissingKey::kRefuse), tx);
  auto proof = audit::load_record_proof(tx, id, opener ? &*opener : nullptr);
  if (!proof.has_value()) {
    std::cerr << "no evidence for audit record " << id << ": " << proof.error().detail << "\n";
    return 1;
  }
  const std::string file = evidence::write_evidence(proof.value(), trust.pem(), !without_bodies);
  if (out == "-") {
    std::cout << file;
    return 0;
  }
  std::ofstream output(out, std::ios::binary | std::ios::trunc);
  output << file;
  output.close();
  if (!output)
    throw ConfigError("cannot write " + out);
  std::cerr << "evidence of audit record " << id << " written to " << out << "\n";
  return 0;
}

int run_audit_verify_evidence(const std::string& path, const std::string& tsa_ca, bool json) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in)
    throw ConfigError("cannot read " + path);
  std::optional<audit::TsaTrust> pinned;
  if (!tsa_ca.empty())
    pinned = read_tsa_ca(tsa_ca);
  const auto checked = evidence::verify_evidence(text.str(), pinned ? &*pinned : nullptr);
  if (!checked.has_value()) {
    if (json)
      std::cout << nlohmann::json{{"ok", false}, {"problem", checked.error().detail}}.dump(2)
                << "\n";
    else
      std::cout << "NOT VERIFIED: " << checked.error().detail << "\n";
    return 3;
  }
  const auto& c = checked.value();
  const auto& r = c.record;
  if (json) {
    std::cout << nlohmann::json{{"ok", true},
                                {"node", r.node},
                                {"seq", c.seq},
                                {"record_hash", c.record_hash},
                                {"message_id", r.message_id},
                                {"request_id", r.request_id},
                                {"consumer", r.consumer},
                                {"provider", r.provider},
                                {"service", r.service},
                                {"status", r.status},
                                {"received_at", to_rfc3339(r.received_at)},
                                {"checkpoint_seq", c.checkpoint_seq},
                                {"node_key_id", c.key_id},
                                {"timestamped_at", to_rfc3339(c.token.generated_at)},
                                {"timestamp_authority", c.token.tsa_subject},
                                {"timestamp_serial", c.token.serial_hex},
                                {"tsa_ca_sha256", c.tsa_ca_fingerprints},
                                {"pinned_tsa_ca", pinned.has_value()},
                                {"request_body", c.request_body},
                                {"response_body", c.response_body}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::cout << "VERIFIED: record " << c.seq << " of node " << r.node << " (" << c.record_hash
            << ")\n  " << r.consumer << " -> " << r.provider << " " << r.service << ", status "
            << r.status << ", received " << to_rfc3339(r.received_at) << "\n  sealed by checkpoint "
            << c.checkpoint_seq << ", signed by node key " << c.key_id << "\n  timestamped "
            << to_rfc3339(c.token.generated_at) << " by " << c.token.tsa_subject << " (serial "
            << c.token.serial_hex << ")\n";
  for (const auto& fingerprint : c.tsa_ca_fingerprints)
    std::cout << "  authority CA SHA-256 " << fingerprint
              << (pinned ? " (checked against --tsa-ca too)" : " (compare with the authority's)")
              << "\n";
  if (c.request_body || c.response_body)
    std::cout << "  bodies match the record:" << (c.request_body ? " request" : "")
              << (c.response_body ? " response" : "") << "\n";
  std::cout << "  the node key is the hub's if its id matches the one the hub publishes\n";
  return 0;
}

}  // namespace lienthong::cli

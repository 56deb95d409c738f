// lienthong audit body-keys | shred-bodies, and lienthong hsm
// generate-body-key | generate-signing-key: the keys that seal kept bodies
// at rest (audit/body_keys.hpp, docs/evidence.md "Bodies at rest") and a
// node's checkpoint key kept in a token.
#include <iostream>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/body_key_lifecycle.hpp"
#include "lienthong/core/config.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/error.hpp"
#include "lienthong/core/pkcs11_token.hpp"

#include "commands.hpp"

namespace lienthong::cli {
namespace {

nlohmann::json key_json(const audit::BodyKeyRow& key) {
  return {{"id", key.id},
          {"member", key.member},
          {"month", key.month},
          {"kek_id", key.kek_id},
          {"created_at", key.created_at},
          {"shredded_at", key.shredded_at ? nlohmann::json(*key.shredded_at) : nlohmann::json()},
          {"shredded_by", key.shredded_by}};
}

}  // namespace

int run_audit_body_keys(const std::string& config_path, bool json) {
  const Config config = load_config(config_path, process_environment());
  pqxx::connection connection(config.database.url);
  const auto keys = audit::list_body_keys(connection);
  if (json) {
    auto list = nlohmann::json::array();
    for (const auto& key : keys)
      list.push_back(key_json(key));
    std::cout << list.dump(2) << "\n";
    return 0;
  }
  for (const auto& key : keys)
    std::cout << key.month << "  " << key.member << "  "
              << (key.shredded_at ? "shredded " + *key.shredded_at + " by " + key.shredded_by
                                  : "wrapped by " + key.kek_id)
              << "\n";
  return 0;
}

int run_audit_shred_bodies(const std::string& config_path, const std::string& month_text,
                           const std::string& member) {
  const Config config = load_config(config_path, process_environment());
  const auto month = audit::parse_month(month_text);
  if (!month)
    throw ConfigError("--month: YYYY-MM, e.g. 2026-11");
  pqxx::connection connection(config.database.url);
  const auto shredded = audit::shred_body_keys(
      connection, *month, member.empty() ? std::nullopt : std::optional<std::string>(member),
      cli_actor("audit shred-bodies"), std::chrono::system_clock::now());
  if (!shredded.has_value())
    return report_error(shredded.error());
  for (const auto& key : shredded.value())
    std::cout << "shredded the body key of " << key.member << " for " << key.month << "\n";
  std::cout << shredded.value().size()
            << " key(s) destroyed: those bodies can no longer be read; the log still verifies\n";
  return 0;
}

int run_audit_rewrap_body_keys(const std::string& config_path) {
  const Config config = load_config(config_path, process_environment());
  if (config.audit.body_key.empty() || config.audit.previous_body_key.empty())
    throw ConfigError(
        "audit.previous_body_key (the key being replaced) and audit.body_key (the new one) "
        "must both be set");
  const auto to = audit::load_key_wrapper(config.audit.body_key);
  const auto from = audit::load_key_wrapper(config.audit.previous_body_key);
  pqxx::connection connection(config.database.url);
  const auto moved =
      audit::rewrap_body_keys(connection, *from, *to, cli_actor("audit rewrap-body-keys"));
  for (const auto& key : moved)
    std::cout << "rewrapped the body key of " << key.member << " for " << key.month << "\n";
  std::cout << moved.size() << " key(s) moved from " << from->id() << " to " << to->id()
            << "; remove audit.previous_body_key from every node\n";
  return 0;
}

int run_hsm_generate_signing_key(const std::string& uri) {
  auto token = Pkcs11Token::open(uri);
  const std::string raw = token->generate_ed25519_key();
  std::cout << "generated Ed25519 key " << token->key_name() << " (not extractable), key id "
            << sha256_hex(raw) << "; set audit.signing_key to the same URI\n";
  return 0;
}

int run_hsm_generate_body_key(const std::string& uri) {
  auto token = Pkcs11Token::open(uri);
  token->generate_aes_key();
  std::cout << "generated AES-256 key " << token->key_name()
            << " (not extractable); set audit.body_key to the same URI\n";
  return 0;
}

}  // namespace lienthong::cli

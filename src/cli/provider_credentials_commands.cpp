#include <iostream>

#include "lienthong/admin/provider_credentials.hpp"
#include "lienthong/core/config.hpp"
#include "lienthong/core/sealing_key.hpp"

#include "commands.hpp"

namespace lienthong::cli {

int run_provider_credentials_reseal(const std::string& config_path) {
  const Config config = load_config(config_path, process_environment());
  if (config.database.url.empty())
    throw ConfigError("database.url: not set (LIENTHONG_DATABASE_URL or [database] url)");
  if (config.provider.previous_credentials_key.empty())
    throw ConfigError(
        "provider.previous_credentials_key: set it to the key being replaced "
        "(LIENTHONG_PROVIDER_PREVIOUS_CREDENTIALS_KEY)");
  // Both keys must exist: a mistyped path must not become a new key that
  // every registration is then sealed with and no node holds.
  SealingKeys keys;
  keys.current =
      std::make_shared<const SealingKey>(SealingKey::load(config.provider.credentials_key));
  keys.previous = std::make_shared<const SealingKey>(
      SealingKey::load(config.provider.previous_credentials_key));
  auto report = admin::reseal_provider_credentials(config.database.url, keys,
                                                   cli_actor("provider-credentials reseal"));
  if (!report.has_value())
    return report_error(report.error());
  std::cout << "resealed " << report.value().resealed << " provider registration(s) from key "
            << keys.previous->key_id() << " to key " << keys.current->key_id() << "; "
            << report.value().already_current << " already used it\n"
            << "every registration now opens with " << config.provider.credentials_key
            << " alone: remove provider.previous_credentials_key from the nodes\n";
  return 0;
}

}  // namespace lienthong::cli

#include "lienthong/core/config.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <functional>
#include <limits>
#include <set>
#include <type_traits>
#include <variant>

#include <toml++/toml.h>

#include "lienthong/core/identifiers.hpp"

extern char** environ;

namespace lienthong {
namespace {

constexpr std::string_view kEnvPrefix = "LIENTHONG_";

struct StringSetting {
  std::function<std::string&(Config&)> field;
  std::function<void(const std::string& key, const std::string& value)> check = nullptr;
};
struct IntSetting {
  std::function<int&(Config&)> field;
  std::int64_t min;
  std::int64_t max;
};
struct AddressSetting {
  std::function<ListenAddress&(Config&)> field;
};

struct Setting {
  std::string_view key;
  std::variant<StringSetting, IntSetting, AddressSetting> kind;
};

void check_log_format(const std::string& key, const std::string& value) {
  if (value != "text" && value != "json")
    throw ConfigError(key + ": must be text or json (got '" + value + "')");
}

void check_log_level(const std::string& key, const std::string& value) {
  static const std::set<std::string, std::less<>> kLevels{"trace", "debug",    "info", "warn",
                                                          "error", "critical", "off"};
  if (!kLevels.contains(value)) {
    throw ConfigError(key +
                      ": must be one of trace, debug, info, warn, error, critical, off (got '" +
                      value + "')");
  }
}

// The first part of every identifier of this hub's members (or empty: no federation).
void check_instance(const std::string& key, const std::string& value) {
  if (!value.empty() && !is_identifier_part(value))
    throw ConfigError(key + ": must be an identifier part [A-Za-z0-9._-]{1,128} (got '" + value +
                      "')");
}

void check_non_empty(const std::string& key, const std::string& value) {
  if (value.empty())
    throw ConfigError(key + ": must not be empty");
}

// A node's name names its audit chain; "admin-changes" is the admin-change chain's.
void check_node_name(const std::string& key, const std::string& value) {
  check_non_empty(key, value);
  if (value == "admin-changes" || value == "audit-reads")
    throw ConfigError(key + ": \"" + value + "\" is reserved for an audit chain of its own");
}

// Every setting the hub accepts. Adding one here makes it valid in the file
// and in the environment at once.
const std::vector<Setting>& settings() {
  static const std::vector<Setting> kSettings{
      {"node.name",
       StringSetting{[](Config& c) -> std::string& { return c.node.name; }, check_node_name}},
      {"node.ports_file",
       StringSetting{[](Config& c) -> std::string& { return c.node.ports_file; }}},
      {"database.url", StringSetting{[](Config& c) -> std::string& { return c.database.url; }}},
      {"exchange.listen",
       AddressSetting{[](Config& c) -> ListenAddress& { return c.exchange.listen; }}},
      {"exchange.threads",
       IntSetting{[](Config& c) -> int& { return c.exchange.threads; }, 0, 256}},
      {"admin.listen", AddressSetting{[](Config& c) -> ListenAddress& { return c.admin.listen; }}},
      {"admin.workers", IntSetting{[](Config& c) -> int& { return c.admin.workers; }, 1, 64}},
      {"admin.metrics_token",
       StringSetting{[](Config& c) -> std::string& { return c.admin.metrics_token; }}},
      {"admin.console_dir",
       StringSetting{[](Config& c) -> std::string& { return c.admin.console_dir; }}},
      {"registry.reconnect_ms",
       IntSetting{[](Config& c) -> int& { return c.registry.reconnect_ms; }, 50, 600'000}},
      {"tls.certificate",
       StringSetting{[](Config& c) -> std::string& { return c.tls.certificate; }, check_non_empty}},
      {"tls.private_key",
       StringSetting{[](Config& c) -> std::string& { return c.tls.private_key; }, check_non_empty}},
      {"tls.client_ca",
       StringSetting{[](Config& c) -> std::string& { return c.tls.client_ca; }, check_non_empty}},
      {"limits.header_bytes",
       IntSetting{[](Config& c) -> int& { return c.limits.header_bytes; }, 1024, 1 << 20}},
      {"limits.body_bytes",
       IntSetting{[](Config& c) -> int& { return c.limits.body_bytes; }, 1024, 256 << 20}},
      {"limits.json_depth",
       IntSetting{[](Config& c) -> int& { return c.limits.json_depth; }, 2, 512}},
      {"limits.handshake_timeout_ms",
       IntSetting{[](Config& c) -> int& { return c.limits.handshake_timeout_ms; }, 100, 600'000}},
      {"limits.read_timeout_ms",
       IntSetting{[](Config& c) -> int& { return c.limits.read_timeout_ms; }, 100, 600'000}},
      {"limits.idle_timeout_ms",
       IntSetting{[](Config& c) -> int& { return c.limits.idle_timeout_ms; }, 100, 3'600'000}},
      {"limits.max_connections",
       IntSetting{[](Config& c) -> int& { return c.limits.max_connections; }, 1, 1'000'000}},
      {"limits.max_concurrent_per_system",
       IntSetting{[](Config& c) -> int& { return c.limits.max_concurrent_per_system; }, 1,
                  1'000'000}},
      {"limits.sync_ms",
       IntSetting{[](Config& c) -> int& { return c.limits.sync_ms; }, 10, 10'000}},
      {"limits.shutdown_grace_ms",
       IntSetting{[](Config& c) -> int& { return c.limits.shutdown_grace_ms; }, 0, 3'600'000}},
      {"limits.shutdown_notice_ms",
       IntSetting{[](Config& c) -> int& { return c.limits.shutdown_notice_ms; }, 0, 600'000}},
      {"provider.connect_timeout_ms",
       IntSetting{[](Config& c) -> int& { return c.provider.connect_timeout_ms; }, 10, 600'000}},
      {"provider.max_idle_per_host",
       IntSetting{[](Config& c) -> int& { return c.provider.max_idle_per_host; }, 0, 10'000}},
      {"provider.ca_file",
       StringSetting{[](Config& c) -> std::string& { return c.provider.ca_file; }}},
      {"provider.client_certificate",
       StringSetting{[](Config& c) -> std::string& { return c.provider.client_certificate; }}},
      {"provider.client_key",
       StringSetting{[](Config& c) -> std::string& { return c.provider.client_key; }}},
      {"provider.credentials_key",
       StringSetting{[](Config& c) -> std::string& { return c.provider.credentials_key; }}},
      {"provider.previous_credentials_key", StringSetting{[](Config& c) -> std::string& {
         return c.provider.previous_credentials_key;
       }}},
      {"provider.breaker_failures",
       IntSetting{[](Config& c) -> int& { return c.provider.breaker_failures; }, 0, 1'000}},
      {"provider.breaker_cooldown_ms",
       IntSetting{[](Config& c) -> int& { return c.provider.breaker_cooldown_ms; }, 10, 3'600'000}},
      {"async.workers", IntSetting{[](Config& c) -> int& { return c.async.workers; }, 0, 64}},
      {"async.batch", IntSetting{[](Config& c) -> int& { return c.async.batch; }, 1, 1'000}},
      {"async.max_attempts",
       IntSetting{[](Config& c) -> int& { return c.async.max_attempts; }, 1, 1'000}},
      {"async.backoff_initial_ms",
       IntSetting{[](Config& c) -> int& { return c.async.backoff_initial_ms; }, 1, 3'600'000}},
      {"async.backoff_max_ms",
       IntSetting{[](Config& c) -> int& { return c.async.backoff_max_ms; }, 1, 86'400'000}},
      {"async.lease_ms",
       IntSetting{[](Config& c) -> int& { return c.async.lease_ms; }, 1'000, 86'400'000}},
      {"async.poll_ms", IntSetting{[](Config& c) -> int& { return c.async.poll_ms; }, 10, 60'000}},
      {"provider.retries", IntSetting{[](Config& c) -> int& { return c.provider.retries; }, 0, 5}},
      {"audit.queue_capacity",
       IntSetting{[](Config& c) -> int& { return c.audit.queue_capacity; }, 1, 10'000'000}},
      {"audit.batch_max",
       IntSetting{[](Config& c) -> int& { return c.audit.batch_max; }, 1, 100'000}},
      {"audit.commit_timeout_ms",
       IntSetting{[](Config& c) -> int& { return c.audit.commit_timeout_ms; }, 100, 600'000}},
      {"audit.signing_key",
       StringSetting{[](Config& c) -> std::string& { return c.audit.signing_key; }}},
      {"audit.body_key", StringSetting{[](Config& c) -> std::string& { return c.audit.body_key; }}},
      {"audit.previous_body_key",
       StringSetting{[](Config& c) -> std::string& { return c.audit.previous_body_key; }}},
      {"audit.partitions_ahead",
       IntSetting{[](Config& c) -> int& { return c.audit.partitions_ahead; }, 1, 120}},
      {"audit.archive_dir",
       StringSetting{[](Config& c) -> std::string& { return c.audit.archive_dir; }}},
      {"audit.read_url", StringSetting{[](Config& c) -> std::string& { return c.audit.read_url; }}},
      {"audit.witness_dir",
       StringSetting{[](Config& c) -> std::string& { return c.audit.witness_dir; }}},
      {"audit.witness_grace_seconds",
       IntSetting{[](Config& c) -> int& { return c.audit.witness_grace_seconds; }, 1, 604'800}},
      {"audit.timestamp_url",
       StringSetting{[](Config& c) -> std::string& { return c.audit.timestamp_url; }}},
      {"audit.timestamp_ca",
       StringSetting{[](Config& c) -> std::string& { return c.audit.timestamp_ca; }}},
      {"audit.timestamp_seconds",
       IntSetting{[](Config& c) -> int& { return c.audit.timestamp_seconds; }, 1, 86'400}},
      {"audit.timestamp_failure_seconds",
       IntSetting{[](Config& c) -> int& { return c.audit.timestamp_failure_seconds; }, 1, 604'800}},
      {"audit.checkpoint_records",
       IntSetting{[](Config& c) -> int& { return c.audit.checkpoint_records; }, 1, 10'000'000}},
      {"audit.checkpoint_seconds",
       IntSetting{[](Config& c) -> int& { return c.audit.checkpoint_seconds; }, 1, 86'400}},
      {"federation.instance",
       StringSetting{[](Config& c) -> std::string& { return c.federation.instance; },
                     check_instance}},
      {"federation.signing_key",
       StringSetting{[](Config& c) -> std::string& { return c.federation.signing_key; }}},
      {"federation.client_certificate",
       StringSetting{[](Config& c) -> std::string& { return c.federation.client_certificate; }}},
      {"federation.client_key",
       StringSetting{[](Config& c) -> std::string& { return c.federation.client_key; }}},
      {"federation.catalogue_seconds",
       IntSetting{[](Config& c) -> int& { return c.federation.catalogue_seconds; }, 60, 86'400}},
      {"federation.pull_seconds",
       IntSetting{[](Config& c) -> int& { return c.federation.pull_seconds; }, 1, 3'600}},
      {"federation.max_clock_skew_seconds",
       IntSetting{[](Config& c) -> int& { return c.federation.max_clock_skew_seconds; }, 0, 3'600}},
      {"federation.forward_timeout_ms",
       IntSetting{[](Config& c) -> int& { return c.federation.forward_timeout_ms; }, 100, 600'000}},
      {"federation.max_concurrent_per_peer",
       IntSetting{[](Config& c) -> int& { return c.federation.max_concurrent_per_peer; }, 1,
                  1'000'000}},
      {"log.level",
       StringSetting{[](Config& c) -> std::string& { return c.log.level; }, check_log_level}},
      {"log.format",
       StringSetting{[](Config& c) -> std::string& { return c.log.format; }, check_log_format}},
  };
  return kSettings;
}

std::string env_name(std::string_view key) {
  std::string name(kEnvPrefix);
  for (const char c : key) {
    name.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

int parse_int(const std::string& key, std::string_view text, const IntSetting& s) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw ConfigError(key + ": must be an integer (got '" + std::string(text) + "')");
  }
  if (value < s.min || value > s.max) {
    throw ConfigError(key + ": must be between " + std::to_string(s.min) + " and " +
                      std::to_string(s.max) + " (got " + std::to_string(value) + ")");
  }
  return static_cast<int>(value);
}

// Applies a textual value (from the environment) to one setting.
void apply_text(Config& config, const Setting& setting, const std::string& where,
                const std::string& text) {
  std::visit(
      [&](const auto& s) {
        using Kind = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<Kind, StringSetting>) {
          if (s.check)
            s.check(where, text);
          s.field(config) = text;
        } else if constexpr (std::is_same_v<Kind, IntSetting>) {
          s.field(config) = parse_int(where, text, s);
        } else {
          s.field(config) = ListenAddress::parse(text, where);
        }
      },
      setting.kind);
}

// Applies a TOML value to one setting, insisting on the right TOML type.
void apply_toml(Config& config, const Setting& setting, const std::string& key,
                const toml::node& node) {
  std::visit(
      [&](const auto& s) {
        using Kind = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<Kind, IntSetting>) {
          const auto value = node.value<std::int64_t>();
          if (!node.is_integer() || !value)
            throw ConfigError(key + ": must be an integer");
          parse_int(key, std::to_string(*value), s);
          s.field(config) = static_cast<int>(*value);
        } else {
          if (!node.is_string())
            throw ConfigError(key + ": must be a string");
          apply_text(config, setting, key, *node.value<std::string>());
        }
      },
      setting.kind);
}

const Setting* find_setting(std::string_view key) {
  for (const auto& s : settings()) {
    if (s.key == key)
      return &s;
  }
  return nullptr;
}

void apply_file(Config& config, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw ConfigError("config file " + path + ": " + std::string(e.description()) + " at line " +
                      std::to_string(e.source().begin.line));
  }
  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    const auto* section_table = section_node.as_table();
    if (section_table == nullptr) {
      throw ConfigError(section + ": unknown setting (settings live in [section] tables)");
    }
    for (const auto& [key_key, value] : *section_table) {
      const std::string key = section + "." + std::string(key_key.str());
      const Setting* setting = find_setting(key);
      if (setting == nullptr)
        throw ConfigError(key + ": unknown setting in " + path);
      apply_toml(config, *setting, key, value);
    }
  }
}

void apply_environment(Config& config, const std::map<std::string, std::string>& env) {
  std::set<std::string> known;
  for (const auto& setting : settings()) {
    const std::string name = env_name(setting.key);
    known.insert(name);
    if (const auto it = env.find(name); it != env.end()) {
      apply_text(config, setting, name + " (" + std::string(setting.key) + ")", it->second);
    }
  }
  for (const auto& [name, value] : env) {
    // LIENTHONG_CONFIG names the file itself; every other LIENTHONG_* must be a setting,
    // so a typo cannot silently leave a default in place.
    if (name.starts_with(kEnvPrefix) && name != "LIENTHONG_CONFIG" && !known.contains(name)) {
      throw ConfigError(name + ": unknown setting in the environment");
    }
  }
}

}  // namespace

ListenAddress ListenAddress::parse(const std::string& text, const std::string& setting) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw ConfigError(setting + ": expected HOST:PORT (got '" + text + "')");
  }
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']')
      throw ConfigError(setting + ": unbalanced '[' in '" + text + "'");
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = text.substr(colon + 1);
  int port = -1;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    throw ConfigError(setting + ": port must be 0..65535 (got '" + port_text + "')");
  }
  if (host.empty())
    throw ConfigError(setting + ": host is empty");
  return ListenAddress{host, static_cast<std::uint16_t>(port)};
}

std::string ListenAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Settings that are each valid but cannot hold together, named both.
void check_consistency(const Config& config) {
  const auto& exchange = config.exchange.listen;
  const auto& admin = config.admin.listen;
  if (exchange.port != 0 && exchange.port == admin.port && exchange.host == admin.host) {
    throw ConfigError("exchange.listen and admin.listen: both are " + exchange.to_string() +
                      "; the listeners need addresses of their own");
  }
  if (config.async.backoff_initial_ms > config.async.backoff_max_ms) {
    throw ConfigError(
        "async.backoff_initial_ms (" + std::to_string(config.async.backoff_initial_ms) +
        ") is above async.backoff_max_ms (" + std::to_string(config.async.backoff_max_ms) + ")");
  }
  // Peers recognise this hub by its client certificate: without one it
  // could neither pull their catalogues nor pass exchanges on.
  const auto& federation = config.federation;
  if (!federation.instance.empty() &&
      (federation.client_certificate.empty() || federation.client_key.empty())) {
    throw ConfigError(
        "federation.instance is set, so federation.client_certificate and "
        "federation.client_key are needed: peer hubs recognise this hub by that certificate");
  }
}

Config load_config(const std::string& path, const std::map<std::string, std::string>& env) {
  Config config;
  if (!path.empty())
    apply_file(config, path);
  apply_environment(config, env);
  check_consistency(config);
  return config;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string_view::npos)
      env.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return env;
}

std::vector<std::pair<std::string, std::string>> describe_settings() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : settings())
    out.emplace_back(std::string(s.key), env_name(s.key));
  return out;
}

std::vector<std::string> changed_settings(const Config& before, const Config& after) {
  // The accessors take a mutable Config; reading through them changes nothing.
  Config a = before;
  Config b = after;
  std::vector<std::string> changed;
  for (const auto& s : settings()) {
    const bool same = std::visit(
        [&](const auto& kind) {
          using Kind = std::decay_t<decltype(kind)>;
          if constexpr (std::is_same_v<Kind, AddressSetting>) {
            return kind.field(a).to_string() == kind.field(b).to_string();
          } else {
            return kind.field(a) == kind.field(b);
          }
        },
        s.kind);
    if (!same)
      changed.emplace_back(s.key);
  }
  return changed;
}

}  // namespace lienthong

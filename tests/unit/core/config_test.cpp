#include "lienthong/core/config.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace lienthong {
namespace {

class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    path_ =
        std::filesystem::temp_directory_path() / ("lienthong-config-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(counter_++) + ".toml");
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

// Runs load_config and returns the ConfigError message ("" if it loaded).
std::string error_of(const std::string& path, const std::map<std::string, std::string>& env) {
  try {
    load_config(path, env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultsAreSafeWithoutFileOrEnvironment) {
  const Config c = load_config("", {});
  EXPECT_EQ(c.exchange.listen.to_string(), "127.0.0.1:8443");
  EXPECT_EQ(c.limits.body_bytes, 1024 * 1024);
  EXPECT_EQ(c.limits.json_depth, 64);
  EXPECT_EQ(c.log.level, "info");
}

TEST(Config, FileOverridesDefaults) {
  ConfigFile file(R"(
[node]
name = "hub-hn-2"
[exchange]
listen = "[::1]:9443"
threads = 4
[limits]
body_bytes = 2048
)");
  const Config c = load_config(file.path(), {});
  EXPECT_EQ(c.node.name, "hub-hn-2");
  EXPECT_EQ(c.exchange.listen.host, "::1");
  EXPECT_EQ(c.exchange.listen.port, 9443);
  EXPECT_EQ(c.exchange.threads, 4);
  EXPECT_EQ(c.limits.body_bytes, 2048);
}

TEST(Config, EnvironmentOverridesFile) {
  ConfigFile file("[database]\nurl = \"postgresql://file\"\n[exchange]\nthreads = 4\n");
  const Config c = load_config(file.path(), {{"LIENTHONG_DATABASE_URL", "postgresql://env"},
                                             {"LIENTHONG_EXCHANGE_THREADS", "8"},
                                             {"PATH", "/usr/bin"}});
  EXPECT_EQ(c.database.url, "postgresql://env");
  EXPECT_EQ(c.exchange.threads, 8);
}

TEST(Config, UnknownKeyInFileIsRejectedByName) {
  ConfigFile file("[limits]\nbody_byte = 10\n");
  EXPECT_NE(error_of(file.path(), {}).find("limits.body_byte"), std::string::npos);
}

TEST(Config, UnknownSectionIsRejectedByName) {
  ConfigFile file("[limit]\nbody_bytes = 10\n");
  EXPECT_NE(error_of(file.path(), {}).find("limit.body_bytes"), std::string::npos);
}

TEST(Config, UnknownEnvironmentSettingIsRejectedByName) {
  EXPECT_NE(error_of("", {{"LIENTHONG_DATABSE_URL", "x"}}).find("LIENTHONG_DATABSE_URL"),
            std::string::npos);
}

TEST(Config, BadValuesAreRejectedNamingTheSetting) {
  ConfigFile wrong_type("[exchange]\nthreads = \"four\"\n");
  EXPECT_NE(error_of(wrong_type.path(), {}).find("exchange.threads"), std::string::npos);
  ConfigFile out_of_range("[limits]\njson_depth = 100000\n");
  EXPECT_NE(error_of(out_of_range.path(), {}).find("limits.json_depth"), std::string::npos);
  EXPECT_NE(error_of("", {{"LIENTHONG_EXCHANGE_THREADS", "-1"}}).find("exchange.threads"),
            std::string::npos);
  EXPECT_NE(error_of("", {{"LIENTHONG_EXCHANGE_THREADS", "4x"}}).find("exchange.threads"),
            std::string::npos);
  EXPECT_NE(
      error_of("", {{"LIENTHONG_EXCHANGE_LISTEN", "127.0.0.1:99999"}}).find("exchange.listen"),
      std::string::npos);
  EXPECT_NE(error_of("", {{"LIENTHONG_EXCHANGE_LISTEN", "8443"}}).find("exchange.listen"),
            std::string::npos);
  EXPECT_NE(error_of("", {{"LIENTHONG_LOG_LEVEL", "loud"}}).find("log.level"), std::string::npos);
  EXPECT_NE(error_of("", {{"LIENTHONG_LOG_FORMAT", "xml"}}).find("log.format"), std::string::npos);
}

TEST(Config, AFederationInstanceIsAnIdentifierPart) {
  EXPECT_EQ(load_config("", {}).federation.instance, "") << "federation is off by default";
  const std::map<std::string, std::string> hanoi{
      {"LIENTHONG_FEDERATION_INSTANCE", "VN-HN"},
      {"LIENTHONG_FEDERATION_CLIENT_CERTIFICATE", "hub-client.crt"},
      {"LIENTHONG_FEDERATION_CLIENT_KEY", "hub-client.key"}};
  const Config province = load_config("", hanoi);
  EXPECT_EQ(province.federation.instance, "VN-HN");
  EXPECT_EQ(province.federation.catalogue_seconds, 600);
  for (const char* bad : {"VN HN", "VN/HN", "Hà-Nội"}) {
    const auto message = error_of("", {{"LIENTHONG_FEDERATION_INSTANCE", bad}});
    EXPECT_NE(message.find("(federation.instance): must be an identifier part"), std::string::npos)
        << bad << ": " << message;
  }
  EXPECT_NE(error_of("", {{"LIENTHONG_FEDERATION_CATALOGUE_SECONDS", "10"}})
                .find("federation.catalogue_seconds"),
            std::string::npos);
  // Without the certificate peers know it by, a federated hub does not start.
  const auto no_certificate = error_of("", {{"LIENTHONG_FEDERATION_INSTANCE", "VN-HN"}});
  EXPECT_NE(no_certificate.find("federation.client_certificate"), std::string::npos)
      << no_certificate;
}

TEST(Config, TheAdminChainsNameIsReservedForIt) {
  const auto message = error_of("", {{"LIENTHONG_NODE_NAME", "admin-changes"}});
  EXPECT_NE(message.find("node.name"), std::string::npos) << message;
  EXPECT_NE(message.find("reserved"), std::string::npos) << message;
  EXPECT_EQ(error_of("", {{"LIENTHONG_NODE_NAME", "admin-changes-2"}}), "");
}

TEST(Config, ContradictorySettingsAreRefusedNamingBoth) {
  const auto same_port = error_of("", {{"LIENTHONG_EXCHANGE_LISTEN", "127.0.0.1:9000"},
                                       {"LIENTHONG_ADMIN_LISTEN", "127.0.0.1:9000"}});
  EXPECT_NE(same_port.find("exchange.listen and admin.listen"), std::string::npos) << same_port;
  // Port 0 lets the system choose, so two listeners may both ask for it.
  EXPECT_EQ(error_of("", {{"LIENTHONG_EXCHANGE_LISTEN", "127.0.0.1:0"},
                          {"LIENTHONG_ADMIN_LISTEN", "127.0.0.1:0"}}),
            "");
  const auto backoff = error_of("", {{"LIENTHONG_ASYNC_BACKOFF_INITIAL_MS", "5000"},
                                     {"LIENTHONG_ASYNC_BACKOFF_MAX_MS", "1000"}});
  EXPECT_NE(backoff.find("async.backoff_initial_ms"), std::string::npos) << backoff;
  EXPECT_NE(backoff.find("async.backoff_max_ms"), std::string::npos) << backoff;
}

TEST(Config, NumbersBeyondEveryIntegerAreRefusedNotWrapped) {
  for (const char* huge : {"99999999999999999999", "-99999999999999999999", "2147483648"}) {
    const auto message = error_of("", {{"LIENTHONG_AUDIT_BATCH_MAX", huge}});
    EXPECT_NE(message.find("audit.batch_max"), std::string::npos) << huge << ": " << message;
  }
  ConfigFile in_file("[limits]\nbody_bytes = 9223372036854775807\n");
  EXPECT_NE(error_of(in_file.path(), {}).find("limits.body_bytes"), std::string::npos);
}

TEST(Config, ChangedSettingsNamesEachDifferingKey) {
  const Config before = load_config("", {});
  EXPECT_TRUE(changed_settings(before, before).empty());
  const Config after = load_config("", {{"LIENTHONG_LOG_LEVEL", "debug"},
                                        {"LIENTHONG_EXCHANGE_LISTEN", "127.0.0.1:9443"},
                                        {"LIENTHONG_LIMITS_SHUTDOWN_GRACE_MS", "5000"}});
  EXPECT_EQ(changed_settings(before, after),
            (std::vector<std::string>{"exchange.listen", "limits.shutdown_grace_ms", "log.level"}));
}

TEST(Config, SyntaxErrorNamesTheFileAndLine) {
  ConfigFile file("[exchange]\nthreads = = 4\n");
  const auto message = error_of(file.path(), {});
  EXPECT_NE(message.find(file.path()), std::string::npos) << message;
  EXPECT_NE(message.find("line 2"), std::string::npos) << message;
}

TEST(Config, EverySettingHasAnEnvironmentName) {
  ASSERT_GT(describe_settings().size(), 40u) << "the settings table is not listed";
  for (const auto& [key, env] : describe_settings()) {
    EXPECT_TRUE(env.starts_with("LIENTHONG_")) << key;
    EXPECT_EQ(env.size(), std::string("LIENTHONG_").size() + key.size()) << key;
  }
}

}  // namespace
}  // namespace lienthong

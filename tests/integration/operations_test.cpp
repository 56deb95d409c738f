// Operations: /metrics, /healthz and /readyz, trace context, JSON logs,
// certificate/config reload on SIGHUP (graceful shutdown: shutdown_test.cpp).
// The signal tests run the hub as its own `lienthong serve` process.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "admin_client.hpp"
#include "hub_fixture.hpp"
#include "hub_process.hpp"

namespace lienthong::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Samples by their series (name and labels, as printed), after checking
// that every line is a comment or a well-formed sample.
std::map<std::string, double> parse_exposition(const std::string& text) {
  static const std::regex kSample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})?) ([-+0-9.eE]+|\+Inf|NaN)$)");
  std::map<std::string, double> samples;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE "))
      continue;
    std::smatch match;
    EXPECT_TRUE(std::regex_match(line, match, kSample)) << "not a sample line: " << line;
    if (!match.empty())
      samples[match[1].str()] = std::stod(match[6].str());
  }
  return samples;
}

double sum_of(const std::map<std::string, double>& samples, const std::string& name,
              const std::string& containing = "") {
  double total = 0;
  for (const auto& [series, value] : samples) {
    if ((series == name || series.starts_with(name + "{")) &&
        series.find(containing) != std::string::npos)
      total += value;
  }
  return total;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class OperationsTest : public HubFixture {
 protected:
  ClientResponse metrics(const std::string& authorization = "") {
    TestClient admin(hub_->admin_port(), std::nullopt);
    std::map<std::string, std::string> headers;
    if (!authorization.empty())
      headers["Authorization"] = authorization;
    return admin.request("GET", "/metrics", "", "", headers);
  }
};

TEST_F(OperationsTest, MetricsCountWhatTheAuditLogHolds) {
  auto consumer = client();
  ASSERT_EQ(
      consumer.post("/exchange/v1/messages", envelope("m-1", kConsumer, kProvider, "echo")).status,
      200);
  ASSERT_EQ(
      consumer.post("/exchange/v1/messages", envelope("m-2", kConsumer, kProvider, "echo")).status,
      200);
  // A provider that is not registered: refused, and not a label value.
  ASSERT_EQ(consumer.post("/exchange/v1/messages",
                          envelope("m-4", kConsumer, "VN/GOV/NOWHERE.1/NOPE-42", "invented"))
                    .status /
                100,
            4);
  auto other = client("TEST-OTHER");  // its agreement expired yesterday
  ASSERT_EQ(other.post("/exchange/v1/messages", envelope("m-3", kOther, kProvider, "echo")).status,
            403);

  const auto response = metrics();
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const auto samples = parse_exposition(response.body);

  const std::string ok_series = std::string("lienthong_exchanges_total{consumer=\"") + kConsumer +
                                "\",provider=\"" + kProvider +
                                "\",service=\"echo\",status=\"200\",outcome=\"ok\"}";
  ASSERT_TRUE(samples.contains(ok_series)) << response.body;
  EXPECT_EQ(samples.at(ok_series), 2);
  EXPECT_EQ(sum_of(samples, "lienthong_exchanges_total", "status=\"403\""), 1);
  EXPECT_EQ(response.body.find("NOPE-42"), std::string::npos);
  EXPECT_EQ(
      sum_of(samples, "lienthong_exchanges_total", "provider=\"unknown\",service=\"unknown\""), 1);
  // Every exchange counted has its audit record, and the other way round.
  EXPECT_EQ(sum_of(samples, "lienthong_exchanges_total"), audit_count());
  EXPECT_EQ(sum_of(samples, "lienthong_audit_records_committed_total"), audit_count());
  EXPECT_GT(sum_of(samples, "lienthong_exchange_response_bytes_total", "status=\"200\""), 0);

  const std::string echo = std::string("provider=\"") + kProvider + "\",service=\"echo\"";
  EXPECT_EQ(sum_of(samples, "lienthong_exchange_duration_seconds_count", echo),
            3);  // 200, 200, 403
  EXPECT_EQ(sum_of(samples, "lienthong_provider_duration_seconds_count", echo), 2);
  EXPECT_EQ(sum_of(samples, "lienthong_exchange_duration_seconds_bucket", echo + ",le=\"+Inf\""),
            3);
  EXPECT_GE(sum_of(samples, "lienthong_audit_commit_duration_seconds_count"), 1);
  EXPECT_EQ(sum_of(samples, "lienthong_audit_queue_depth"), 0);
  EXPECT_EQ(sum_of(samples, "lienthong_audit_writer_healthy"), 1);

  // The two clients' connections are open, the scrape's own too.
  EXPECT_GE(samples.at("lienthong_open_connections{listener=\"exchange\"}"), 2);
  EXPECT_GE(samples.at("lienthong_open_connections{listener=\"admin\"}"), 1);
  EXPECT_TRUE(samples.contains("lienthong_async_queue_depth{state=\"queued\"}"));
  EXPECT_TRUE(samples.contains("lienthong_async_queue_depth{state=\"dead\"}"));
  EXPECT_EQ(samples.at("lienthong_async_due_lag_seconds"), 0);  // nothing queued
  EXPECT_EQ(samples.at("lienthong_async_submission_commit_duration_seconds_count"), 0);
  EXPECT_GE(samples.at("lienthong_registry_version"), 1);
  EXPECT_GE(samples.at("lienthong_registry_snapshot_age_seconds"), 0);
  EXPECT_EQ(samples.at("lienthong_registry_entries{kind=\"systems\"}"), 4);
  EXPECT_EQ(samples.at("lienthong_ready"), 1);
}

class BreakerMetricsTest : public OperationsTest {
 protected:
  void configure(Config& config) override { config.provider.breaker_failures = 3; }
};

TEST_F(BreakerMetricsTest, MetricsShowAnOpenBreaker) {
  auto consumer = client();
  // TEST-DEAD listens nowhere: three failures open its breaker.
  for (int i = 0; i < 3; ++i) {
    consumer.post("/exchange/v1/messages",
                  envelope("dead-" + std::to_string(i), kConsumer, kDeadProvider, "dead"));
  }
  const auto samples = parse_exposition(metrics().body);
  const std::string dead = std::string("provider=\"") + kDeadProvider + "\"";
  EXPECT_EQ(sum_of(samples, "lienthong_provider_breaker_state", dead + ",state=\"open\""), 1);
  EXPECT_EQ(sum_of(samples, "lienthong_provider_breaker_state", dead + ",state=\"closed\""), 0);
}

class TokenMetricsTest : public OperationsTest {
 protected:
  void configure(Config& config) override { config.admin.metrics_token = "scrape-secret-1"; }
};

TEST_F(TokenMetricsTest, MetricsWantTheConfiguredBearerToken) {
  const auto without = metrics();
  EXPECT_EQ(without.status, 401);
  EXPECT_EQ(without.header("content-type"), "application/problem+json");
  EXPECT_EQ(metrics("Bearer scrape-secret-2").status, 401);
  EXPECT_EQ(metrics("Bearer scrape-secret-1").status, 200);
}

TEST_F(OperationsTest, HealthAndReadinessReportEachCheck) {
  TestClient admin(hub_->admin_port(), std::nullopt);
  const auto health = admin.request("GET", "/healthz", "", "");
  EXPECT_EQ(health.status, 200);
  // Ready once the registry change listener has connected, just after start.
  auto ready = admin.request("GET", "/readyz", "", "");
  for (int i = 0; i < 100 && ready.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ready = admin.request("GET", "/readyz", "", "");
  }
  ASSERT_EQ(ready.status, 200) << ready.body;
  const auto body = json::parse(ready.body);
  EXPECT_TRUE(body["ready"].get<bool>());
  for (const char* check : {"snapshot_loaded", "database_reachable", "audit_writer_healthy",
                            "audit_witness_current", "accepting_requests"})
    EXPECT_TRUE(body["checks"][check].get<bool>()) << check;
  EXPECT_EQ(admin.request("POST", "/healthz", "", "").status, 405);
}

TEST_F(OperationsTest, TraceparentIsJoinedAndPassedToTheProvider) {
  auto consumer = client();
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string caller_span = "00f067aa0ba902b7";
  const auto joined = consumer.request(
      "POST", "/exchange/v1/messages", envelope("t-1", kConsumer, kProvider, "echo"),
      "application/json", {{"traceparent", "00-" + trace_id + "-" + caller_span + "-01"}});
  ASSERT_EQ(joined.status, 200) << joined.body;
  const auto sent = json::parse(joined.body)["body"]["headers"]["traceparent"].get<std::string>();
  EXPECT_TRUE(sent.starts_with("00-" + trace_id + "-")) << sent;
  EXPECT_EQ(sent.find(caller_span), std::string::npos) << "the hub is a hop of its own";

  // No traceparent, or a malformed one: the hub starts a trace.
  const auto started = consumer.request("POST", "/exchange/v1/messages",
                                        envelope("t-2", kConsumer, kProvider, "echo"),
                                        "application/json", {{"traceparent", "00-zz-bad-01"}});
  ASSERT_EQ(started.status, 200);
  const auto fresh = json::parse(started.body)["body"]["headers"]["traceparent"].get<std::string>();
  EXPECT_TRUE(std::regex_match(fresh, std::regex("00-[0-9a-f]{32}-[0-9a-f]{16}-01"))) << fresh;
  EXPECT_EQ(fresh.find(trace_id), std::string::npos);
}

// A temporary directory removed at the end of the test.
struct ScratchDirectory {
  fs::path path =
      fs::temp_directory_path() / ("lienthong-ops-" + std::to_string(::getpid()) + "-" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  ScratchDirectory() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDirectory() { fs::remove_all(path); }
};

TEST_F(OperationsTest, SighupReloadsCertificatesAndLogLevelWithoutDroppingConnections) {
  ScratchDirectory scratch;
  const fs::path certificate = scratch.path / "hub.crt";
  const fs::path key = scratch.path / "hub.key";
  fs::copy_file(pki_file("hub.crt"), certificate);
  fs::copy_file(pki_file("hub.key"), key);
  const fs::path config = scratch.path / "hub.toml";
  const auto write_config = [&](const std::string& level) {
    std::ofstream(config) << "[log]\nlevel = \"" << level << "\"\nformat = \"json\"\n";
  };
  write_config("info");
  const fs::path log = scratch.path / "hub.log";
  HubProcessOptions options;
  options.settings = {{"TLS_CERTIFICATE", certificate.string()},
                      {"TLS_PRIVATE_KEY", key.string()},
                      {"LOG_LEVEL", ""}};  // unset: the file decides
  options.config_file = config.string();
  options.output_file = log.string();
  HubProcess process("reload-node", database_->url(), options);

  TestClient kept(process.exchange_port(), "TEST-CONSUMER");
  ASSERT_EQ(
      kept.post("/exchange/v1/messages", envelope("r-1", kConsumer, kProvider, "echo")).status,
      200);
  const std::string original = kept.server_certificate_sha256();

  // Renewal: new files at the same paths, a new log level, then SIGHUP.
  fs::copy_file(pki_file("hub-renewed.crt"), certificate, fs::copy_options::overwrite_existing);
  fs::copy_file(pki_file("hub-renewed.key"), key, fs::copy_options::overwrite_existing);
  write_config("debug");
  process.send_signal(SIGHUP);

  std::string renewed;
  for (int i = 0; i < 100 && (renewed.empty() || renewed == original); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    TestClient fresh(process.exchange_port(), "TEST-CONSUMER");
    if (fresh.connect())
      renewed = fresh.server_certificate_sha256();
  }
  EXPECT_NE(renewed, original) << "new connections get the renewed certificate";
  // The connection opened before the reload goes on, with its certificate.
  ASSERT_EQ(
      kept.post("/exchange/v1/messages", envelope("r-2", kConsumer, kProvider, "echo")).status,
      200);
  EXPECT_EQ(kept.connections_opened(), 1);
  EXPECT_EQ(kept.server_certificate_sha256(), original);

  // Files that cannot be used change nothing: the renewed certificate stays.
  std::ofstream(certificate) << "not a certificate";
  process.send_signal(SIGHUP);
  // The reload is done when the node says it kept the certificates in service.
  bool reported = false;
  for (int i = 0; i < 200 && !reported; ++i) {
    reported = read_file(log).find("the TLS files cannot be used") != std::string::npos;
    if (!reported)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(reported) << "the node did not report the unusable files";
  TestClient after_bad(process.exchange_port(), "TEST-CONSUMER");
  ASSERT_TRUE(after_bad.connect());
  EXPECT_EQ(after_bad.server_certificate_sha256(), renewed);

  process.send_signal(SIGTERM);
  ASSERT_EQ(process.wait_for_exit(std::chrono::seconds(20)), 0);

  // JSON logs: every line is an object; with debug on after the reload, the
  // request's line carries its request and trace ids.
  bool reloaded_level = false;
  bool request_line = false;
  bool refused_files = false;
  std::istringstream lines(read_file(log));
  std::string line;
  while (std::getline(lines, line)) {
    const auto entry = json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(entry.is_object()) << "not JSON: " << line;
    const auto message = entry.value("msg", std::string());
    reloaded_level = reloaded_level || message == "reload: log level debug";
    refused_files = refused_files || (entry["level"] == "error" &&
                                      message.starts_with("reload: the TLS files cannot be used"));
    if (message.starts_with("request ") && entry.contains("request_id")) {
      request_line = true;
      EXPECT_NE(message.find(entry["request_id"].get<std::string>()), std::string::npos);
      EXPECT_EQ(entry["trace_id"].get<std::string>().size(), 32u);
    }
  }
  EXPECT_TRUE(reloaded_level);
  EXPECT_TRUE(request_line);
  EXPECT_TRUE(refused_files);
}

}  // namespace
}  // namespace lienthong::testing

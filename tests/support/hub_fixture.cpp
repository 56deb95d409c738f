#include "hub_fixture.hpp"

#include <fstream>
#include <sstream>
#include <thread>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace lienthong::testing {
std::string fingerprint_of(const std::string& certificate_name) {
  // Same definition as the hub: SHA-256 of the DER certificate, lower-case hex.
  const std::string command =
      "openssl x509 -in '" + pki_file(certificate_name + ".crt") +
      "' -noout -fingerprint -sha256 | cut -d= -f2 | tr -d ':' | tr 'A-F' 'a-f'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    throw std::runtime_error("cannot run openssl");
  char line[128] = {};
  const bool read = std::fgets(line, sizeof line, pipe) != nullptr;
  ::pclose(pipe);
  std::string text = read ? line : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  if (text.size() != 64)
    throw std::runtime_error("no fingerprint for " + certificate_name);
  return text;
}

namespace {

std::shared_ptr<spdlog::logger> test_logger() {
  static auto logger = [] {
    auto l = spdlog::stderr_color_mt("hub-under-test");
    l->set_level(spdlog::level::warn);
    return l;
  }();
  return logger;
}

}  // namespace

Config HubFixture::test_config(const std::string& database_url) {
  Config config;
  config.node.name = "test-node";
  config.database.url = database_url;
  config.exchange.listen = ListenAddress{"127.0.0.1", 0};
  config.exchange.threads = 2;
  config.admin.listen = ListenAddress{"127.0.0.1", 0};
  config.admin.workers = 2;
  config.registry.reconnect_ms = 100;
  config.tls.certificate = pki_file("hub.crt");
  config.tls.private_key = pki_file("hub.key");
  config.tls.client_ca = pki_file("ca.crt");
  config.audit.signing_key = pki_file("audit-signing.key");
  config.provider.credentials_key = pki_file("provider-credentials.key");
  config.audit.body_key = pki_file("audit-bodies.key");
  config.limits.body_bytes = 64 * 1024;
  config.limits.read_timeout_ms = 2'000;
  config.limits.idle_timeout_ms = 5'000;
  // Tests call the failing services of one provider system many times in a
  // row on purpose; breakers open only for the resilience tests' own providers.
  config.provider.breaker_failures = 20;
  return config;
}

void HubFixture::SetUp() {
  database_ = std::make_unique<TestDatabase>();
  provider_ = std::make_unique<TestProvider>();
  const std::string provider_url = "http://127.0.0.1:" + std::to_string(provider_->port()) + "/api";
  const std::string dead_url = "http://127.0.0.1:" + std::to_string(closed_port());
  std::ostringstream sql;
  sql << "INSERT INTO members (instance, member_class, member_code, name) VALUES "
         "('VN','GOV','TEST.01','Provider ministry'), ('VN','GOV','TEST.02','Dead ministry'), "
         "('VN','PROV','TEST.03','Consumer province');"
      << "INSERT INTO systems (member_id, system_code, name, base_url) VALUES "
         "((SELECT id FROM members WHERE member_code='TEST.01'), 'TEST-PROVIDER', 'Provider', '"
      << provider_url << "'), "
      << "((SELECT id FROM members WHERE member_code='TEST.02'), 'TEST-DEAD', 'Dead', '" << dead_url
      << "'), "
         "((SELECT id FROM members WHERE member_code='TEST.03'), 'TEST-CONSUMER', 'Consumer', "
         "NULL), "
         "((SELECT id FROM members WHERE member_code='TEST.03'), 'TEST-OTHER', 'Other', NULL);"
      << "INSERT INTO credentials (system_id, kind, fingerprint) VALUES "
         "((SELECT id FROM systems WHERE system_code='TEST-CONSUMER'), 'certificate', '"
      << fingerprint_of("TEST-CONSUMER") << "'), "
      << "((SELECT id FROM systems WHERE system_code='TEST-OTHER'), 'certificate', '"
      << fingerprint_of("TEST-OTHER") << "');"
      << "INSERT INTO services (system_id, service_code, version, name, provider_path, timeout_ms) "
         "SELECT s.id, v.code, 'v1', v.code, v.path, v.timeout FROM (VALUES "
         "('TEST-PROVIDER','echo','/echo',5000), ('TEST-PROVIDER','slow','/slow',300), "
         "('TEST-PROVIDER','broken','/fail',5000), ('TEST-PROVIDER','garbage','/garbage',5000), "
         "('TEST-PROVIDER','missing','/missing',5000), ('TEST-DEAD','dead','/x',5000)) "
         "AS v(system, code, path, timeout) JOIN systems s ON s.system_code = v.system;"
      << "INSERT INTO agreements (consumer_system_id, provider_system_id, service_code, purpose, "
         "legal_basis, status, requested_by, status_changed_by) "
         "SELECT c.id, v.system_id, v.service_code, 'integration test', 'test fixture', "
         "'approved', 'fixture', 'fixture' FROM services v, systems c "
         "WHERE c.system_code = 'TEST-CONSUMER';"
      << "INSERT INTO agreements (consumer_system_id, provider_system_id, service_code, purpose, "
         "legal_basis, valid_from, valid_until, status, requested_by, status_changed_by) "
         "SELECT c.id, p.id, 'echo', 'integration test', 'test fixture', "
         "now() - interval '2 days', now() - interval '1 day', 'approved', 'fixture', 'fixture' "
         "FROM systems c, systems p "
         "WHERE c.system_code = 'TEST-OTHER' AND p.system_code = 'TEST-PROVIDER';";
  database_->execute(sql.str());
  start_hub();
}

void HubFixture::start_hub() {
  auto config = test_config(database_->url());
  configure(config);
  hub_ = std::make_unique<cli::Hub>(config, test_logger());
  hub_->start();
}

void HubFixture::TearDown() {
  hub_.reset();
  provider_.reset();
  database_.reset();
}

std::string HubFixture::envelope(const std::string& id, const std::string& from,
                                 const std::string& to, const std::string& service,
                                 const std::string& body) {
  return R"({"header":{"id":")" + id + R"(","from":")" + from + R"(","to":")" + to +
         R"(","service":")" + service +
         R"(","version":"v1","purpose":"integration test","userId":"tester-1"},"body":)" + body +
         "}";
}

std::string HubFixture::audit_summary(const std::string& message_id) const {
  return database_->scalar(
      "SELECT concat_ws('|', status, coalesce(error_code,''), coalesce(consumer,''), "
      "coalesce(provider,''), coalesce(service,'')) FROM audit_records WHERE message_id = '" +
      message_id + "'");
}

int HubFixture::audit_count() const {
  return std::stoi(database_->scalar("SELECT count(*) FROM audit_records"));
}

bool HubFixture::becomes_ready(std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!hub_->ready()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return true;
}

}  // namespace lienthong::testing

#include "national_demo_fixture.hpp"

#include <fstream>

#include "lienthong/admin/registry_file.hpp"
#include "lienthong/demo/demo_provider.hpp"

namespace lienthong::testing {

using nlohmann::json;

void NationalDemoFixture::configure(Config& config) {
  config.async.poll_ms = 50;
  config.async.backoff_initial_ms = 50;
  config.async.backoff_max_ms = 400;
}

void NationalDemoFixture::SetUp() {
  HubFixture::SetUp();
  population_ = std::make_unique<LoopbackServer>(demo::make_population_registry());
  business_ = std::make_unique<LoopbackServer>(demo::make_business_registry());
  land_ = std::make_unique<LoopbackServer>(demo::make_land_registry());
  tax_ = std::make_unique<LoopbackServer>(demo::make_tax_system());
  claims_ = std::make_unique<LoopbackServer>(demo::make_claims_system());
  admin::ApplyOptions options;
  options.base_directory = std::string(LIENTHONG_SOURCE_DIR) + "/config/demo";
  const auto applied = admin::apply_registry(database_->url(), demo_registry().dump(), options);
  ASSERT_TRUE(applied.has_value()) << applied.error().detail;
  ASSERT_TRUE(hub_->reload_registry().has_value());
}

json NationalDemoFixture::demo_registry() const {
  std::ifstream file(std::string(LIENTHONG_SOURCE_DIR) + "/config/demo/registry.json");
  json registry = json::parse(file);
  const std::map<std::string, const LoopbackServer*> servers{{"DANCU", population_.get()},
                                                             {"DKKD", business_.get()},
                                                             {"DATDAI", land_.get()},
                                                             {"THUE", tax_.get()},
                                                             {"GIAMDINH", claims_.get()}};
  for (auto& system : registry["systems"]) {
    if (system.contains("base_url"))
      system["base_url"] = servers.at(system["code"].get<std::string>())->url();
  }
  for (auto& credential : registry["credentials"]) {
    const std::string system = credential["system"].get<std::string>();
    credential["certificate_file"] = pki_file(system.substr(system.rfind('/') + 1) + ".crt");
  }
  return registry;
}

NationalDemoFixture::Answer NationalDemoFixture::exchange(
    const std::string& system_code, const std::string& from, const std::string& provider,
    const std::string& service, const json& body, const std::string& purpose,
    const std::map<std::string, std::string>& headers) {
  const json envelope = {{"header",
                          {{"id", "national-" + std::to_string(++sent_)},
                           {"from", from},
                           {"to", provider},
                           {"service", service},
                           {"version", "v1"},
                           {"purpose", purpose}}},
                         {"body", body}};
  TestClient client(hub_->exchange_port(), system_code);
  const auto response =
      client.request("POST", "/exchange/v1/messages", envelope.dump(), "application/json", headers);
  return {response.status, json::parse(response.body, nullptr, false), response.body};
}

AdminClient NationalDemoFixture::auditor() const {
  return AdminClient(hub_->admin_port(), issue_token(database_->url(), "auditor"));
}

}  // namespace lienthong::testing

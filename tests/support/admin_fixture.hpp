#pragma once
// HubFixture plus the admin API: a hub-admin client and tokens on demand.
// Members of the HubFixture registry, as the admin API names them:
//   VN/GOV/TEST.01   provider ministry (TEST-PROVIDER)
//   VN/PROV/TEST.03  consumer province (TEST-CONSUMER, TEST-OTHER)

#include <string>

#include "admin_client.hpp"
#include "hub_fixture.hpp"

namespace lienthong::testing {

inline constexpr const char* kProviderMember = "VN/GOV/TEST.01";
inline constexpr const char* kConsumerMember = "VN/PROV/TEST.03";

class AdminFixture : public HubFixture {
 protected:
  void SetUp() override {
    HubFixture::SetUp();
    hub_admin_token_ = issue_token(database_->url(), "hub-admin");
  }

  AdminClient admin(const std::string& token) const {
    return AdminClient(hub_->admin_port(), token);
  }
  AdminClient hub_admin() const { return admin(hub_admin_token_); }
  std::string token(const std::string& role,
                    const std::optional<std::string>& member = std::nullopt) const {
    return issue_token(database_->url(), role, member);
  }
  // The id of a row found by SQL, e.g. id_of("systems", "system_code = 'TEST-OTHER'").
  std::int64_t id_of(const std::string& table, const std::string& condition) const {
    return std::stoll(database_->scalar("SELECT id FROM " + table + " WHERE " + condition));
  }

  // A provider system of VN/GOV/TEST.01 at `url` with one service (v1), and
  // an approved agreement for TEST-CONSUMER, all through the admin API; the
  // hub serves it when this returns. `service_fields` adds to or overrides
  // the service's fields (adapter_kind, adapter_config, timeout_ms...).
  void register_provider(const std::string& system, const std::string& url, const std::string& code,
                         const std::string& path,
                         const nlohmann::json& service_fields = nlohmann::json::object()) {
    auto admin = hub_admin();
    const std::string system_id = std::string(kProviderMember) + "/" + system;
    const auto created = admin.post(
        "/admin/v1/systems",
        {{"member", kProviderMember}, {"code", system}, {"name", system}, {"base_url", url}});
    ASSERT_EQ(created.status, 201) << created.body;
    nlohmann::json service{{"system", system_id}, {"code", code},          {"version", "v1"},
                           {"name", code},        {"provider_path", path}, {"timeout_ms", 3000}};
    service.update(service_fields);
    const auto registered = admin.post("/admin/v1/services", service);
    ASSERT_EQ(registered.status, 201) << registered.body;
    const auto agreement = admin.post("/admin/v1/agreements", {{"consumer", kConsumer},
                                                               {"provider", system_id},
                                                               {"service_code", code},
                                                               {"purpose", "integration test"},
                                                               {"legal_basis", "test fixture"}});
    ASSERT_EQ(agreement.status, 201) << agreement.body;
    const auto approved =
        admin.post("/admin/v1/agreements/" +
                   std::to_string(AdminClient::json_of(agreement)["id"].get<int>()) + "/approve");
    ASSERT_EQ(approved.status, 200) << approved.body;
    ASSERT_TRUE(hub_->reload_registry().has_value());
  }

  std::string hub_admin_token_;
};

}  // namespace lienthong::testing

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

  std::string hub_admin_token_;
};

}  // namespace lienthong::testing

// The agreement lifecycle through the admin API: the consumer's member
// requests, the provider's member decides, every transition is recorded, and
// the exchange path follows each decision.
#include <chrono>
#include <thread>

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class AdminAgreements : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    consumer_admin_ = token("member-admin", kConsumerMember);
    provider_admin_ = token("member-admin", kProviderMember);
  }

  json request_body() const {
    return {{"consumer", kOther},
            {"provider", kProvider},
            {"service_code", "echo"},
            {"versions", {"v1"}},
            {"purpose", "Xác minh hồ sơ (case verification)"},
            {"legal_basis", "Nghị định 47/2020/NĐ-CP"},
            {"legal_reference", "Điều 15"},
            {"valid_until", "2099-01-01T00:00:00Z"}};
  }

  // Requests an agreement as the consumer's member-admin; returns its path.
  std::string request_agreement() {
    auto consumer = admin(consumer_admin_);
    const auto response = consumer.post("/admin/v1/agreements", request_body());
    EXPECT_EQ(response.status, 201) << response.body;
    const auto agreement = AdminClient::json_of(response);
    EXPECT_EQ(agreement["status"], "requested");
    return "/admin/v1/agreements/" + std::to_string(agreement["id"].get<int>());
  }

  // Calls echo/v1 as TEST-OTHER through the exchange; returns the HTTP status.
  int call_as_other(const std::string& id) {
    auto other = client("TEST-OTHER");
    return other.post("/exchange/v1/messages", envelope(id, kOther, kProvider, "echo")).status;
  }

  // Polls until the exchange answers `status` (registry changes propagate by
  // NOTIFY, asynchronously); gives up after two seconds.
  bool exchange_answers(int status, const std::string& id_prefix) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    for (int attempt = 0; std::chrono::steady_clock::now() < deadline; ++attempt) {
      if (call_as_other(id_prefix + std::to_string(attempt)) == status)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::string consumer_admin_;
  std::string provider_admin_;
};

TEST_F(AdminAgreements, RequestApproveSuspendResumeRevokeFollowedByTheExchange) {
  const auto path = request_agreement();
  EXPECT_EQ(call_as_other("before-approval"), 403);

  auto provider = admin(provider_admin_);
  auto consumer = admin(consumer_admin_);
  const auto approved = provider.post(path + "/approve", {{"reason", "legal basis checked"}});
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(AdminClient::json_of(approved)["status"], "approved");
  // The node that made the change serves it from the next request on.
  EXPECT_EQ(call_as_other("right-after-approval"), 200);

  ASSERT_EQ(provider.post(path + "/suspend").status, 200);
  EXPECT_TRUE(exchange_answers(403, "suspended-"));
  ASSERT_EQ(provider.post(path + "/resume").status, 200);
  EXPECT_TRUE(exchange_answers(200, "resumed-"));
  // Either side may end an agreement.
  ASSERT_EQ(consumer.post(path + "/revoke", {{"reason", "no longer needed"}}).status, 200);
  EXPECT_TRUE(exchange_answers(403, "revoked-"));

  const auto events = AdminClient::json_of(consumer.get(path + "/events"))["items"];
  std::vector<std::string> transitions;
  for (const auto& event : events) {
    transitions.push_back(event["to_status"].get<std::string>());
    EXPECT_FALSE(event["actor"].get<std::string>().empty());
    EXPECT_FALSE(event["at"].is_null());
  }
  EXPECT_EQ(transitions, (std::vector<std::string>{"requested", "approved", "suspended", "approved",
                                                   "revoked"}));
  EXPECT_EQ(events[1]["reason"], "legal basis checked");
  EXPECT_NE(events[1]["actor"].get<std::string>().find("member-admin"), std::string::npos);
}

TEST_F(AdminAgreements, ProviderMayRejectARequest) {
  const auto path = request_agreement();
  auto provider = admin(provider_admin_);
  const auto rejected = provider.post(path + "/reject", {{"reason", "purpose too broad"}});
  ASSERT_EQ(rejected.status, 200);
  EXPECT_EQ(AdminClient::json_of(rejected)["status"], "rejected");
  EXPECT_EQ(provider.post(path + "/approve").status, 409);
}

TEST_F(AdminAgreements, TransitionsOutOfOrderAreConflicts) {
  const auto path = request_agreement();
  auto provider = admin(provider_admin_);
  for (const auto* action : {"suspend", "resume"}) {
    const auto response = provider.post(path + "/" + action);
    EXPECT_EQ(response.status, 409) << action;
    EXPECT_EQ(AdminClient::json_of(response)["code"], "Client.Conflict");
  }
  EXPECT_EQ(provider.post(path + "/nonsense").status, 404);
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM agreement_events"), "1");
}

TEST_F(AdminAgreements, OnlyTheProvidersMemberApproves) {
  const auto path = request_agreement();
  auto consumer = admin(consumer_admin_);
  const auto response = consumer.post(path + "/approve");
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(AdminClient::json_of(response)["code"], "Client.Forbidden");
  EXPECT_EQ(AdminClient::json_of(consumer.get(path))["status"], "requested");
}

TEST_F(AdminAgreements, TermsChangeOnlyWhileRequested) {
  const auto path = request_agreement();
  auto consumer = admin(consumer_admin_);
  const auto changed = consumer.patch(path, {{"purpose", "narrower purpose"}}, "\"1\"");
  ASSERT_EQ(changed.status, 200) << changed.body;
  ASSERT_EQ(admin(provider_admin_).post(path + "/approve").status, 200);
  const auto etag = consumer.get(path).header("etag");
  const auto refused = consumer.patch(path, {{"daily_quota", 10}}, etag);
  EXPECT_EQ(refused.status, 409);
}

TEST_F(AdminAgreements, InvalidRequestsNameTheirFields) {
  auto consumer = admin(consumer_admin_);
  auto body = request_body();
  body["service_code"] = "no-such-service";
  const auto unknown = consumer.post("/admin/v1/agreements", body);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(AdminClient::json_of(unknown)["errors"][0]["pointer"], "/service_code");

  body = request_body();
  body["valid_from"] = "2030-01-01T00:00:00Z";
  body["valid_until"] = "2029-01-01T00:00:00Z";
  body["allowed_methods"] = {"BREW"};
  const auto bad = consumer.post("/admin/v1/agreements", body);
  EXPECT_EQ(bad.status, 400) << bad.body;

  body = request_body();
  body["valid_from"] = "2030-01-01T00:00:00Z";
  body["valid_until"] = "2029-01-01T00:00:00Z";
  const auto backwards = consumer.post("/admin/v1/agreements", body);
  EXPECT_EQ(backwards.status, 400) << backwards.body;
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM agreements WHERE consumer_system_id = "
                              "(SELECT id FROM systems WHERE system_code = 'TEST-OTHER') "
                              "AND service_code = 'echo' AND status = 'requested'"),
            "0");
}

}  // namespace
}  // namespace lienthong::testing

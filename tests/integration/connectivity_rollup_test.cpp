// The connectivity index at national volumes reads past days from a daily
// roll-up of the audit log instead of aggregating every record in its
// window: past days are rolled up the first time a window reaches them,
// today comes from the audit log itself, and the two add up.
#include <filesystem>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/core/digest.hpp"

#include "admin_client.hpp"
#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

namespace asio = boost::asio;
using nlohmann::json;
using Clock = std::chrono::system_clock;

class ConnectivityRollUp : public HubFixture {
 protected:
  // "Today" and "three days ago" must name the same days all through the test.
  void SetUp() override {
    avoid_utc_midnight();
    HubFixture::SetUp();
  }

  // Commits exchanges between the fixture's consumer and provider received
  // `days_ago`, as another node's audit writer would have.
  void record_past(int days_ago, int accepted, int refused) {
    const auto key = std::filesystem::temp_directory_path() / ("lt-rollup-" + database_->name());
    audit::WriterOptions options;
    options.database_url = database_->url();
    options.node = "past-" + std::to_string(days_ago);
    options.signing_key_path = key.string();
    audit::AuditWriter writer(options, std::make_shared<spdlog::logger>(
                                           "t", std::make_shared<spdlog::sinks::null_sink_mt>()));
    asio::io_context io;
    int committed = 0;
    auto write = [&]() -> asio::awaitable<void> {
      for (int n = 0; n < accepted + refused; ++n) {
        audit::AuditRecord r;
        r.request_id = "past-" + std::to_string(days_ago) + "-" + std::to_string(n);
        r.consumer = kConsumer;
        r.provider = kProvider;
        r.service = "echo";
        r.method = "POST";
        r.path = "/exchange/v1/messages";
        r.status = n < accepted ? 200 : 403;
        if (n >= accepted)
          r.error_code = "Client.NoAgreement";
        r.request_sha256 = r.response_sha256 = sha256_hex("");
        r.received_at = r.responded_at = Clock::now() - std::chrono::days(days_ago);
        committed += (co_await writer.commit(r)).has_value() ? 1 : 0;
      }
    };
    asio::co_spawn(io, write, asio::detached);
    io.run();
    ASSERT_EQ(committed, accepted + refused);
    std::filesystem::remove(key);
  }

  json connectivity(int days) {
    AdminClient auditor(hub_->admin_port(), issue_token(database_->url(), "auditor"));
    const auto answer = auditor.get("/audit/v1/connectivity?days=" + std::to_string(days));
    EXPECT_EQ(answer.status, 200) << answer.body;
    return AdminClient::json_of(answer);
  }

  static json pair_traffic(const json& report) {
    for (const auto& pair : report["traffic"]) {
      if (pair["consumer"] == kConsumer && pair["provider"] == kProvider)
        return pair;
    }
    return json{{"exchanges", 0}, {"refused", 0}};
  }
};

TEST_F(ConnectivityRollUp, PastDaysComeFromTheRollUpAndTodayFromTheLog) {
  record_past(3, 2, 1);
  record_past(40, 5, 0);  // outside a 30-day window

  const auto first = connectivity(30);
  EXPECT_EQ(pair_traffic(first)["exchanges"], 3) << first["traffic"].dump();
  EXPECT_EQ(pair_traffic(first)["refused"], 1);
  EXPECT_EQ(first["systems_exchanged"], 2);
  EXPECT_EQ(first["since"].get<std::string>().size(), 10u);
  // The call rolled up the window's days that are over (all 29, or 28 in the
  // hour after midnight UTC), the one with traffic among them.
  EXPECT_GE(std::stoi(database_->scalar("SELECT count(*) FROM audit_traffic_days_done")), 28);
  EXPECT_EQ(database_->scalar("SELECT exchanges FROM audit_traffic_days WHERE day = "
                              "(now() AT TIME ZONE 'UTC')::date - 3"),
            "3");

  // Today's exchanges are counted from the audit log, on top of the roll-up.
  auto consumer = client();
  ASSERT_EQ(
      consumer.post("/exchange/v1/messages", envelope("today-1", kConsumer, kProvider, "echo"))
          .status,
      200);
  EXPECT_EQ(pair_traffic(connectivity(30))["exchanges"], 4);

  // Past days are read from the roll-up, not recounted: a changed roll-up row
  // shows (the rows are derived data, rebuilt by deleting a day from _done).
  database_->execute(
      "UPDATE audit_traffic_days SET exchanges = exchanges + 100 WHERE day = "
      "(now() AT TIME ZONE 'UTC')::date - 3");
  EXPECT_EQ(pair_traffic(connectivity(30))["exchanges"], 104);
  database_->execute(
      "DELETE FROM audit_traffic_days WHERE day = (now() AT TIME ZONE 'UTC')::date - 3; "
      "DELETE FROM audit_traffic_days_done WHERE day = (now() AT TIME ZONE 'UTC')::date - 3");
  EXPECT_EQ(pair_traffic(connectivity(30))["exchanges"], 4);

  // A longer window reaches the older day and rolls it up too.
  EXPECT_EQ(pair_traffic(connectivity(60))["exchanges"], 9);
  EXPECT_EQ(database_->scalar("SELECT exchanges FROM audit_traffic_days WHERE day = "
                              "(now() AT TIME ZONE 'UTC')::date - 40"),
            "5");
}

}  // namespace
}  // namespace lienthong::testing

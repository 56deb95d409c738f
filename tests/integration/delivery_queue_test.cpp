// The delivery queue's group commit (delivery_queue.hpp): messages that
// arrive while a transaction is being written share the next one, and a
// shared transaction keeps every promise a transaction per message kept:
// resubmission is idempotent, a different message under a used id is 409,
// and a message the database refuses fails alone. The tests hold the first
// transaction on a table lock so that the rest queue up behind it, which
// makes "arrived together" a fact rather than a timing.
#include "lienthong/delivery/delivery_queue.hpp"

#include <functional>
#include <optional>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <pqxx/pqxx>

#include "hub_fixture.hpp"

namespace lienthong::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using delivery::DeliveryStatus;
using delivery::QueuedMessage;

class DeliveryQueueBatches : public HubFixture {
 protected:
  void configure(Config& config) override {
    config.async.workers = 0;  // the messages stay queued for the assertions
  }

  void SetUp() override {
    HubFixture::SetUp();
    consumer_id_ =
        std::stoll(database_->scalar("SELECT id FROM systems WHERE system_code = 'TEST-CONSUMER'"));
    provider_id_ =
        std::stoll(database_->scalar("SELECT id FROM systems WHERE system_code = 'TEST-PROVIDER'"));
    queue_ = std::make_unique<delivery::DeliveryQueue>(database_->url(), 3);
  }
  void TearDown() override {
    queue_.reset();
    HubFixture::TearDown();
  }

  QueuedMessage message(const std::string& id, const std::string& body) const {
    return QueuedMessage{
        id,          consumer_id_, kConsumer, provider_id_, std::string(kProvider) + "/echo/v1",
        "req-" + id, "",           "test",    body};
  }

  // Starts enqueue(message) on the test's io_context; the result lands in `slot`.
  void submit(QueuedMessage message, std::optional<Result<DeliveryStatus>>& slot) {
    asio::co_spawn(
        context_,
        [this, message = std::move(message), &slot]() mutable -> asio::awaitable<void> {
          slot = co_await queue_->enqueue(std::move(message));
        },
        asio::detached);
    context_.poll();  // runs the coroutine up to its wait: the message is with the committer
    context_.restart();
  }

  // Whether a session of this database waits for a lock within `limit`.
  bool someone_waits_for_a_lock(std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (database_->scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = '" +
                            database_->name() + "' AND wait_event_type = 'Lock'") != "0")
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  // Runs `arrive_together` while the committer's first transaction waits
  // for a lock on the deliveries table, so everything it submits is waiting
  // when that transaction ends; then runs every submission to its end.
  void while_the_first_batch_waits(std::optional<Result<DeliveryStatus>>& first,
                                   const std::function<void()>& arrive_together) {
    pqxx::connection blocker(database_->url());
    pqxx::work lock(blocker);
    lock.exec("LOCK TABLE deliveries IN EXCLUSIVE MODE");
    submit(message("first", R"({"n":0})"), first);
    ASSERT_TRUE(someone_waits_for_a_lock(5s)) << "the first batch never reached the table";
    arrive_together();
    lock.abort();
    context_.run();
  }

  std::int64_t consumer_id_ = 0;
  std::int64_t provider_id_ = 0;
  std::unique_ptr<delivery::DeliveryQueue> queue_;
  asio::io_context context_;
};

TEST_F(DeliveryQueueBatches, MessagesArrivingTogetherShareOneTransactionAndKeepTheirAnswers) {
  std::optional<Result<DeliveryStatus>> first;
  std::vector<std::optional<Result<DeliveryStatus>>> fresh(40);
  std::optional<Result<DeliveryStatus>> same_again, same_id_other_body, first_again;
  while_the_first_batch_waits(first, [&] {
    for (std::size_t i = 0; i < fresh.size(); ++i)
      submit(message("m-" + std::to_string(i), R"({"n":)" + std::to_string(i) + "}"), fresh[i]);
    submit(message("m-7", R"({"n":7})"), same_again);  // a resubmission in the same batch
    submit(message("m-8", R"({"n":"other"})"), same_id_other_body);  // a used id, another message
    submit(message("first", R"({"n":0})"), first_again);  // resubmits a committed message
  });

  EXPECT_EQ(queue_->batches(), 2u) << "the 43 messages that waited did not share a transaction";
  ASSERT_TRUE(first && first->has_value());
  std::set<std::int64_t> ids{first->value().id};
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    ASSERT_TRUE(fresh[i] && fresh[i]->has_value()) << i;
    EXPECT_EQ(fresh[i]->value().message_id, "m-" + std::to_string(i));
    EXPECT_EQ(fresh[i]->value().state, delivery::DeliveryState::kQueued);
    ids.insert(fresh[i]->value().id);
  }
  EXPECT_EQ(ids.size(), 41u) << "every new message is its own delivery";
  ASSERT_TRUE(same_again && same_again->has_value());
  EXPECT_EQ(same_again->value().id, fresh[7]->value().id);
  ASSERT_TRUE(same_id_other_body && !same_id_other_body->has_value());
  EXPECT_EQ(same_id_other_body->error().code, ErrorCode::kClientConflict);
  ASSERT_TRUE(first_again && first_again->has_value());
  EXPECT_EQ(first_again->value().id, first->value().id);
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM deliveries"), "41");
  EXPECT_EQ(database_->scalar("SELECT request_body FROM deliveries WHERE message_id = 'm-8'"),
            R"({"n":8})");
}

TEST_F(DeliveryQueueBatches, AMessageTheDatabaseRefusesFailsAloneNotItsBatch) {
  std::optional<Result<DeliveryStatus>> first;
  std::vector<std::optional<Result<DeliveryStatus>>> good(10);
  std::optional<Result<DeliveryStatus>> refused;
  while_the_first_batch_waits(first, [&] {
    for (std::size_t i = 0; i < 5; ++i)
      submit(message("good-" + std::to_string(i), "{}"), good[i]);
    auto orphan = message("orphan", "{}");
    orphan.consumer_system_id = -1;  // no such system: the foreign key refuses the row
    submit(std::move(orphan), refused);
    for (std::size_t i = 5; i < good.size(); ++i)
      submit(message("good-" + std::to_string(i), "{}"), good[i]);
  });

  EXPECT_EQ(queue_->batches(), 2u);
  ASSERT_TRUE(refused && !refused->has_value());
  EXPECT_EQ(refused->error().code, ErrorCode::kServerQueueUnavailable);
  for (std::size_t i = 0; i < good.size(); ++i)
    EXPECT_TRUE(good[i] && good[i]->has_value()) << "good-" << i << " failed with the refused one";
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM deliveries"), "11");
}

TEST_F(DeliveryQueueBatches, NothingIsQueuedWhileTheDatabaseIsDown) {
  database_->set_reachable(false);
  std::optional<Result<DeliveryStatus>> result;
  submit(message("down", "{}"), result);
  context_.run();
  database_->set_reachable(true);
  ASSERT_TRUE(result && !result->has_value());
  EXPECT_EQ(result->error().code, ErrorCode::kServerQueueUnavailable);
  std::optional<Result<DeliveryStatus>> again;
  context_.restart();
  submit(message("down", "{}"), again);
  context_.run();
  ASSERT_TRUE(again && again->has_value()) << "the committer did not reconnect";
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM deliveries"), "1");
}

// The backlog's age (lienthong_async_due_lag_seconds, and its alert rule):
// how long the longest-waiting due message has been due; messages waiting
// for a later retry or already delivered do not count.
TEST_F(DeliveryQueueBatches, TheDueLagIsTheAgeOfTheLongestWaitingDueMessage) {
  EXPECT_EQ(queue_->due_lag_seconds(), 0);
  std::optional<Result<DeliveryStatus>> waiting, later, done;
  submit(message("waiting", "{}"), waiting);
  submit(message("later", "{}"), later);
  submit(message("done", "{}"), done);
  context_.run();
  ASSERT_TRUE(waiting && waiting->has_value() && later && later->has_value() && done &&
              done->has_value());
  database_->execute(
      "UPDATE deliveries SET next_attempt_at = now() - interval '90 seconds' "
      "WHERE message_id = 'waiting';"
      "UPDATE deliveries SET state = 'failed', next_attempt_at = now() + interval '1 hour' "
      "WHERE message_id = 'later';"
      "UPDATE deliveries SET state = 'delivered', next_attempt_at = now() - interval '1 day' "
      "WHERE message_id = 'done'");
  const double lag = queue_->due_lag_seconds();
  EXPECT_GE(lag, 90);
  EXPECT_LT(lag, 90 + 60) << "counted something other than the waiting message";
  database_->execute("UPDATE deliveries SET state = 'delivered' WHERE message_id = 'waiting'");
  EXPECT_EQ(queue_->due_lag_seconds(), 0);
}

}  // namespace
}  // namespace lienthong::testing

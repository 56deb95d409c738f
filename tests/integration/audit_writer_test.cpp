// The audit writer seals its chain on time as well as by count: with records
// trickling in (never a quiet checkpoint interval), checkpoints still come.
#include "lienthong/audit/audit_writer.hpp"

#include <chrono>
#include <filesystem>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_verifier.hpp"
#include "lienthong/core/digest.hpp"

#include "audit_report.hpp"
#include "test_environment.hpp"

namespace lienthong::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace std::string_literals;

// A successful GET, as the exchange would record it, received now.
audit::AuditRecord answered_get(const std::string& request_id) {
  audit::AuditRecord r;
  r.request_id = request_id;
  r.method = "GET";
  r.path = "/";
  r.status = 200;
  r.request_sha256 = r.response_sha256 = sha256_hex("");
  r.received_at = r.responded_at = std::chrono::system_clock::now();
  return r;
}

std::shared_ptr<spdlog::logger> quiet_logger() {
  return std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
}

// Commits one record and waits for the writer's answer.
Result<audit::RecordReceipt> commit(audit::AuditWriter& writer, audit::AuditRecord r) {
  asio::io_context io;
  std::optional<Result<audit::RecordReceipt>> outcome;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { outcome = co_await writer.commit(std::move(r)); },
      asio::detached);
  io.run();
  return outcome.value();
}

TEST(AuditWriter, SealsOnTimeWhileRecordsTrickleIn) {
  TestDatabase database;
  const auto key = std::filesystem::temp_directory_path() / ("lt-writer-" + database.name());
  audit::WriterOptions options;
  options.database_url = database.url();
  options.node = "trickle";
  options.signing_key_path = key.string();
  options.checkpoint_records = 1'000'000;  // never by count
  options.checkpoint_interval = 300ms;
  int committed = 0;
  {
    audit::AuditWriter writer(options, quiet_logger());
    asio::io_context io;
    // One record every 100 ms for 1.5 s: the writer is never idle for 300 ms.
    auto trickle = [&]() -> asio::awaitable<void> {
      asio::steady_timer timer(io);
      for (int n = 0; n < 15; ++n) {
        committed +=
            (co_await writer.commit(answered_get("trickle-" + std::to_string(n)))).has_value() ? 1
                                                                                               : 0;
        timer.expires_after(100ms);
        co_await timer.async_wait(asio::use_awaitable);
      }
    };
    asio::co_spawn(io, trickle, asio::detached);
    io.run();
    EXPECT_GE(writer.checkpoints(), 3u) << "about one checkpoint per 300 ms of traffic";
  }
  EXPECT_EQ(committed, 15);
  std::filesystem::remove(key);
}

}  // namespace
}  // namespace lienthong::testing

namespace lienthong::testing {
namespace {

// A COMMIT whose acknowledgement was lost: the caller was answered 503, yet
// the batch is durable. Once the writer has reconnected and sees its chain
// reach the batch, it records what the caller really got.
TEST(AuditWriter, ARecordCommittedInDoubtGetsAFollowUpStatingThe503) {
  TestDatabase database;
  const auto key = std::filesystem::temp_directory_path() / ("lt-doubt-" + database.name());
  audit::WriterOptions options;
  options.database_url = database.url();
  options.node = "in-doubt";
  options.signing_key_path = key.string();
  int commits = 0;
  options.after_commit = [&commits] {
    if (++commits == 1)
      throw pqxx::in_doubt_error("the acknowledgement was lost (test)");
  };
  std::vector<bool> answered;
  {
    audit::AuditWriter writer(options, quiet_logger());
    asio::io_context io;
    auto send = [&]() -> asio::awaitable<void> {
      for (int n = 0; n < 2; ++n) {
        audit::AuditRecord r;
        r.request_id = "doubt-" + std::to_string(n);
        r.message_id = r.request_id;
        r.method = "POST";
        r.path = "/exchange/v1/messages";
        r.status = 200;
        r.request_sha256 = r.response_sha256 = sha256_hex("{}");
        r.response_bytes = 2;
        r.received_at = r.responded_at = std::chrono::system_clock::now();
        answered.push_back((co_await writer.commit(r)).has_value());
      }
    };
    asio::co_spawn(io, send, asio::detached);
    io.run();
  }  // the follow-up is found on reconnect (the next batch) and committed before the writer stops
  EXPECT_EQ(answered, (std::vector<bool>{false, true}));
  EXPECT_EQ(database.scalar("SELECT string_agg(request_id || '=' || status || '/' || "
                            "coalesce(error_code, ''), ',' ORDER BY seq) FROM audit_records"),
            "doubt-0=200/,doubt-1=200/,doubt-0=503/Server.AuditUnavailable");
  std::filesystem::remove(key);
}

}  // namespace
}  // namespace lienthong::testing

namespace lienthong::testing {
namespace {

// Two processes given the same node.name would fork that node's chain. The
// second writer waits out a predecessor's grace, then refuses to write: its
// callers get 503 and nothing of theirs enters the chain.
TEST(AuditWriter, ASecondWriterWithTheSameNodeNameFailsClosed) {
  TestDatabase database;
  const auto key = std::filesystem::temp_directory_path() / ("lt-twin-" + database.name());
  audit::WriterOptions options;
  options.database_url = database.url();
  options.node = "twin";
  options.signing_key_path = key.string();

  audit::AuditWriter first(options, quiet_logger());
  ASSERT_TRUE(commit(first, answered_get("first-1")).has_value());

  audit::AuditWriter second(options, quiet_logger());
  const auto refused = commit(second, answered_get("second-1"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kServerAuditUnavailable);
  EXPECT_FALSE(second.accepting()) << "the twin must refuse work before any provider is called";

  // The first keeps its chain; the twin's record is in no chain.
  ASSERT_TRUE(commit(first, answered_get("first-2")).has_value());
  pqxx::connection connection(database.url());
  pqxx::read_transaction tx(connection);
  EXPECT_EQ(tx.exec1("SELECT string_agg(request_id || '#' || seq, ',' ORDER BY seq) "
                     "FROM audit_records WHERE node = 'twin'")[0]
                .as<std::string>(),
            "first-1#1,first-2#2");
  std::filesystem::remove(key);
}

}  // namespace
}  // namespace lienthong::testing

namespace lienthong::testing {
namespace {

// Members choose much of what a record holds (purpose, user id, path,
// correlation id, kept bodies). The writer builds one SQL statement from
// them: quotes, backslashes, statement separators and any byte of a body
// must arrive as written, and the chain must hash what PostgreSQL stores.
TEST(AuditWriter, WhatMembersWroteIsStoredExactlyAndVerifies) {
  TestDatabase database;
  const auto key = std::filesystem::temp_directory_path() / ("lt-verbatim-" + database.name());
  audit::WriterOptions options;
  options.database_url = database.url();
  options.node = "verbatim";
  options.signing_key_path = key.string();
  std::string every_byte;
  for (int b = 0; b < 256; ++b)
    every_byte += static_cast<char>(b);
  audit::AuditRecord r = answered_get("verbatim-1");
  r.purpose = "Kiểm tra hồ sơ'); DELETE FROM audit_records; --";
  r.user_id = "O'Brien\\x41\\\\ $$ $q$ ;COMMIT;";
  r.path = "/r1/VN/GOV/000.00.00.B01/DANCU/citizen?q='%27\"";
  r.correlation_id = "nul\0inside"s;
  r.request_body = every_byte;
  r.response_body = std::string("{\"ok\":\"'\\\\\"}");
  r.request_sha256 = sha256_hex(*r.request_body);
  r.response_sha256 = sha256_hex(*r.response_body);
  {
    audit::AuditWriter writer(options, quiet_logger());
    ASSERT_TRUE(commit(writer, r).has_value());
  }
  pqxx::connection connection(database.url());
  pqxx::read_transaction tx(connection);
  const auto row = tx.exec1(
      "SELECT purpose, user_id, path, correlation_id, encode(request_body, 'hex'), "
      "convert_from(response_body, 'UTF8'), (SELECT count(*) FROM audit_records) "
      "FROM audit_records WHERE request_id = 'verbatim-1'");
  EXPECT_EQ(row[0].as<std::string>(), r.purpose);
  EXPECT_EQ(row[1].as<std::string>(), r.user_id);
  EXPECT_EQ(row[2].as<std::string>(), r.path);
  // PostgreSQL text cannot hold NUL: it is replaced before the record is
  // hashed, so what is stored is what the chain covers.
  EXPECT_EQ(row[3].as<std::string>(), "nul\xEF\xBF\xBDinside");
  EXPECT_EQ(row[4].as<std::string>(), to_hex(every_byte));
  EXPECT_EQ(row[5].as<std::string>(), *r.response_body);
  EXPECT_EQ(row[6].as<int>(), 1);
  const auto report = audit::verify_audit_log(tx, {});
  EXPECT_TRUE(report.ok()) << (report.chains.empty() || !report.chains[0].problem
                                   ? "no chain"
                                   : report.chains[0].problem->detail);
  std::filesystem::remove(key);
}

}  // namespace
}  // namespace lienthong::testing

namespace lienthong::testing {
namespace {

// What a hub hands a peer as its receipt is where its record stands in the
// chain; a record that crossed a peer hub keeps the peer's fields under the
// chain (the v2 encoding), and a receipt changed afterwards is located.
TEST(AuditWriter, TheReceiptNamesTheCommittedRecordAndThePeerFieldsAreChained) {
  TestDatabase database;
  const auto key = std::filesystem::temp_directory_path() / ("lt-receipt-" + database.name());
  audit::WriterOptions options;
  options.database_url = database.url();
  options.node = "receipt";
  options.signing_key_path = key.string();
  audit::AuditRecord local = answered_get("local-1");
  audit::AuditRecord crossed = answered_get("crossed-1");
  crossed.node = "receipt";  // as the writer sets it
  crossed.upstream_instance = "VN-HN";
  crossed.upstream_assertion = "eyJhbGciOiJFZERTQSJ9.eyJqdGkiOiJpbiJ9.c2ln";
  crossed.downstream_instance = "VN-HCM";
  crossed.downstream_assertion = "eyJhbGciOiJFZERTQSJ9.eyJqdGkiOiJvdXQifQ.c2ln";
  crossed.downstream_request_id = "0193a1b2-peer";
  crossed.downstream_record_hash = sha256_hex("the peer's record");
  std::optional<audit::RecordReceipt> first;
  std::optional<audit::RecordReceipt> second;
  {
    audit::AuditWriter writer(options, quiet_logger());
    auto committed = commit(writer, local);
    ASSERT_TRUE(committed.has_value());
    first = committed.value();
    committed = commit(writer, crossed);
    ASSERT_TRUE(committed.has_value());
    second = committed.value();
  }
  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(second->seq, 2);
  EXPECT_NE(first->record_hash, second->record_hash);
  pqxx::connection connection(database.url());
  {
    pqxx::read_transaction tx(connection);
    const auto rows = tx.exec(
        "SELECT request_id, seq, record_hash, upstream_instance, upstream_assertion, "
        "downstream_instance, downstream_assertion, downstream_request_id, "
        "downstream_record_hash FROM audit_records ORDER BY seq");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][2].as<std::string>(), first->record_hash);
    EXPECT_TRUE(rows[0][3].is_null()) << "a local record has no peer";
    EXPECT_EQ(rows[1][1].as<std::int64_t>(), second->seq);
    EXPECT_EQ(rows[1][2].as<std::string>(), second->record_hash);
    EXPECT_EQ(rows[1][3].as<std::string>(), "VN-HN");
    EXPECT_EQ(rows[1][4].as<std::string>(), crossed.upstream_assertion);
    EXPECT_EQ(rows[1][5].as<std::string>(), "VN-HCM");
    EXPECT_EQ(rows[1][6].as<std::string>(), crossed.downstream_assertion);
    EXPECT_EQ(rows[1][7].as<std::string>(), crossed.downstream_request_id);
    EXPECT_EQ(rows[1][8].as<std::string>(), crossed.downstream_record_hash);
    // The chain's hash is the v2 encoding's, which the peer fields are part of.
    EXPECT_EQ(audit::chain_hash(first->record_hash, 2, crossed), second->record_hash);
    EXPECT_TRUE(audit::verify_audit_log(tx, {}).ok());
  }
  database.execute(
      "SET session_replication_role = replica;"
      "UPDATE audit_records SET downstream_record_hash = repeat('b', 64) WHERE seq = 2;"
      "SET session_replication_role = origin");
  pqxx::read_transaction tx(connection);
  const auto report = audit::verify_audit_log(tx, {});
  ASSERT_FALSE(report.ok());
  const auto problem = chain_named(report, "receipt").problem;
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->kind, "altered");
  EXPECT_EQ(problem->seq, 2);
  std::filesystem::remove(key);
}

}  // namespace
}  // namespace lienthong::testing

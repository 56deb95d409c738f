// The audit log at national scale: loads millions of synthetic records into
// a fresh database, then measures what auditors wait for (a lookup by
// message id, a one-day filtered page, the next page, one record) through
// the auditor API's own handler, and how fast the audit writer commits
// compared with a plain batched INSERT of the same rows into the same table.
//
//   ./scripts/bench.sh audit [--rows N] [--writer-records N]
//
// Times are reported as percentiles and the writer as a ratio, since the
// machines this runs on are shared and noisy.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "lienthong/admin/admin_api.hpp"
#include "lienthong/admin/admin_tokens.hpp"
#include "lienthong/audit/audit_record.hpp"
#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/timestamp.hpp"
#include "lienthong/registry/migrator.hpp"

namespace {

using namespace lienthong;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
namespace asio = boost::asio;

constexpr int kConsumers = 200;
constexpr int kProviders = 50;
constexpr int kDays = 30;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values.at(index);
}

std::string with_database(const std::string& url, const std::string& name) {
  // postgresql://user:pw@host:port/DB?options
  const auto slash = url.find('/', url.find("://") + 3);
  const auto query = url.find('?', slash);
  return url.substr(0, slash + 1) + name +
         (query == std::string::npos ? std::string() : url.substr(query));
}

std::string consumer(int n) {
  return "VN/GOV/000.00." + std::to_string(n % kConsumers) + ".G01/CONSUMER";
}

// ---- Loading ------------------------------------------------------------------

// Rows i in [first, last] spread evenly over the last kDays days: the
// parties, users and outcomes cycle so every filter selects a realistic share.
void load_rows(pqxx::connection& connection, std::int64_t first, std::int64_t last,
               std::int64_t total) {
  pqxx::work tx(connection);
  tx.exec_params(
      "INSERT INTO audit_records (node, message_id, request_id, consumer, provider, service, "
      "service_version, method, path, user_id, purpose, client_address, status, error_code, "
      "request_bytes, response_bytes, request_sha256, response_sha256, received_at, "
      "provider_called_at, provider_answered_at, responded_at, committed_at, seq, record_hash) "
      "SELECT 'bench-load', 'bench-' || i, 'req-' || i, "
      "'VN/GOV/000.00.' || (i % 200) || '.G01/CONSUMER', "
      "'VN/GOV/000.00.' || (i % 50) || '.G02/PROVIDER', 'service-' || (i % 20), 'v1', 'POST', "
      "'/exchange/v1/messages', 'CCCD' || (i * 7919 % 100000), 'audit-benchmark', '127.0.0.1', "
      "CASE WHEN i % 20 = 0 THEN 403 ELSE 200 END, "
      "CASE WHEN i % 20 = 0 THEN 'Client.AgreementRequired' END, 512, 2048, "
      "md5(i::text) || md5(i::text || 'q'), md5(i::text) || md5(i::text || 'r'), t, "
      "t + interval '1 ms', t + interval '6 ms', t + interval '7 ms', t + interval '9 ms', i, "
      "md5(i::text) || md5(i::text || 'h') "
      "FROM (SELECT i, now() - make_interval(days => $3) + "
      "(i::double precision / $4) * make_interval(days => $3) AS t "
      "FROM generate_series($1::bigint, $2::bigint) AS i) s",
      first, last, kDays, total);
  tx.commit();
}

void load(const std::string& url, std::int64_t rows) {
  pqxx::connection connection(url);
  pqxx::nontransaction(connection)
      .exec("SELECT lt_audit_ensure_partitions(now() - interval '2 months', 3)");
  const auto start = Clock::now();
  constexpr std::int64_t kChunk = 500'000;
  for (std::int64_t first = 1; first <= rows; first += kChunk) {
    load_rows(connection, first, std::min(rows, first + kChunk - 1), rows);
    std::fprintf(stderr, "\rloaded %lld of %lld records",
                 static_cast<long long>(std::min(rows, first + kChunk - 1)),
                 static_cast<long long>(rows));
  }
  std::fprintf(stderr, " in %.0f s; analysing...\n", ms_since(start) / 1000);
  pqxx::nontransaction(connection).exec("VACUUM ANALYZE audit_records");
}

// ---- The auditor API ----------------------------------------------------------

struct ApiTimes {
  std::vector<double> by_message_id, day_page, next_page, by_id, connectivity_first, connectivity;
};

json call(admin::AdminApi& api, const std::string& token, const std::string& target,
          double& elapsed_ms) {
  net::HttpRequest request;
  request.method = "GET";
  request.target = target;
  request.headers.push_back({"Authorization", "Bearer " + token});
  const auto start = Clock::now();
  const auto response = api.handle(request);
  elapsed_ms = ms_since(start);
  if (response.status != 200)
    throw std::runtime_error(target + " answered " + std::to_string(response.status) + ": " +
                             response.body);
  return json::parse(response.body);
}

ApiTimes measure_api(const std::string& url, std::int64_t rows, int samples) {
  const auto token = admin::issue_admin_token(
      url, {"auditor", std::nullopt, "benchmark", std::nullopt}, "audit-benchmark");
  if (!token.has_value())
    throw std::runtime_error("cannot issue an auditor token");
  admin::AdminApiOptions options;
  options.database_url = url;
  options.readiness = [] { return admin::Readiness{true, 1, {}}; };
  options.logger =
      std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
  admin::AdminApi api(options);

  const auto now = std::chrono::system_clock::now();
  const std::string all_time = "from=" + to_rfc3339(now - std::chrono::days(kDays + 1)) +
                               "&to=" + to_rfc3339(now + std::chrono::days(1));
  std::mt19937_64 random(20261128);
  ApiTimes times;
  double ms = 0;
  for (int i = 0; i < samples; ++i) {
    const auto n = static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(rows)) + 1;
    const auto found =
        call(api, token.value(),
             "/audit/v1/exchanges?" + all_time + "&message_id=bench-" + std::to_string(n), ms);
    if (found["items"].size() != 1)
      throw std::runtime_error("message bench-" + std::to_string(n) + " not found exactly once");
    times.by_message_id.push_back(ms);
    const auto id = found["items"][0]["id"].get<std::int64_t>();
    call(api, token.value(), "/audit/v1/exchanges/" + std::to_string(id), ms);
    times.by_id.push_back(ms);

    // One whole day (not the first or last, which are partial) for one consumer.
    const auto day = std::chrono::floor<std::chrono::days>(now) -
                     std::chrono::days(1 + static_cast<int>(random() % (kDays - 2)));
    const std::string filter =
        "from=" + to_rfc3339(day) + "&to=" + to_rfc3339(day + std::chrono::days(1)) +
        "&consumer=" + consumer(static_cast<int>(random() % kConsumers)) + "&limit=100";
    const auto page = call(api, token.value(), "/audit/v1/exchanges?" + filter, ms);
    if (page["items"].size() != 100 || page["next_after"].is_null())
      throw std::runtime_error("a one-day page for one consumer should be full: " + filter);
    times.day_page.push_back(ms);
    call(api, token.value(),
         "/audit/v1/exchanges?" + filter +
             "&after=" + std::to_string(page["next_after"].get<std::int64_t>()),
         ms);
    times.next_page.push_back(ms);
  }
  // The connectivity index: the first call rolls up the window's past days
  // (once, for every later call on any node), later ones read the roll-up.
  for (int i = 0; i < 6; ++i) {
    call(api, token.value(), "/audit/v1/connectivity?days=" + std::to_string(kDays), ms);
    (i == 0 ? times.connectivity_first : times.connectivity).push_back(ms);
  }
  return times;
}

// ---- Writing ------------------------------------------------------------------

audit::AuditRecord synthetic(std::int64_t n) {
  audit::AuditRecord r;
  r.message_id = "write-" + std::to_string(n);
  r.request_id = "wreq-" + std::to_string(n);
  r.consumer = consumer(static_cast<int>(n));
  r.provider = "VN/GOV/000.00.1.G02/PROVIDER";
  r.service = "service-1";
  r.service_version = "v1";
  r.method = "POST";
  r.path = "/exchange/v1/messages";
  r.user_id = "CCCD" + std::to_string(n % 100'000);
  r.purpose = "audit-benchmark";
  r.client_address = "127.0.0.1";
  r.status = 200;
  r.request_bytes = 512;
  r.response_bytes = 2048;
  r.request_sha256 = sha256_hex("request " + std::to_string(n));
  r.response_sha256 = sha256_hex("response " + std::to_string(n));
  r.received_at = std::chrono::system_clock::now();
  r.provider_called_at = r.received_at;
  r.provider_answered_at = r.received_at;
  r.responded_at = r.received_at;
  return r;
}

// The writer as the hub uses it: `in_flight` requests at a time, each
// waiting for its record to be committed.
double writer_rate(const std::string& url, const std::string& node, std::int64_t records,
                   int in_flight) {
  audit::WriterOptions options;
  options.database_url = url;
  options.node = node;
  options.signing_key_path =
      (std::filesystem::temp_directory_path() / "lienthong-audit-bench.key").string();
  audit::AuditWriter writer(options, std::make_shared<spdlog::logger>(
                                         "bench", std::make_shared<spdlog::sinks::null_sink_mt>()));
  asio::io_context io;
  std::int64_t next = 0;
  std::int64_t failed = 0;
  auto worker = [&]() -> asio::awaitable<void> {
    while (next < records) {
      const auto status = co_await writer.commit(synthetic(++next));
      failed += status.has_value() ? 0 : 1;
    }
  };
  const auto start = Clock::now();
  for (int i = 0; i < in_flight; ++i)
    asio::co_spawn(io, worker, asio::detached);
  io.run();
  const double seconds = ms_since(start) / 1000;
  if (failed > 0)
    throw std::runtime_error(std::to_string(failed) + " records failed to commit");
  return static_cast<double>(records) / seconds;
}

// The same rows as plain multi-row INSERTs, a transaction per batch of the
// writer's batch size: no chain, no signatures, nobody waiting.
double insert_rate(const std::string& url, const std::string& node, std::int64_t records) {
  pqxx::connection connection(url);
  constexpr std::int64_t kBatch = 512;
  const auto start = Clock::now();
  for (std::int64_t first = 1; first <= records; first += kBatch) {
    pqxx::work tx(connection);
    std::string sql =
        "INSERT INTO audit_records (node, message_id, request_id, consumer, provider, service, "
        "service_version, method, path, user_id, purpose, client_address, status, "
        "request_bytes, response_bytes, request_sha256, response_sha256, received_at, "
        "provider_called_at, provider_answered_at, responded_at, committed_at) VALUES ";
    for (std::int64_t n = first; n < std::min(records + 1, first + kBatch); ++n) {
      const auto r = synthetic(n);
      const auto at = tx.quote(to_rfc3339(r.received_at));
      sql += (n == first ? "(" : ",(") + tx.quote(node) + "," + tx.quote(r.message_id) + "," +
             tx.quote(r.request_id) + "," + tx.quote(r.consumer) + "," + tx.quote(r.provider) +
             "," + tx.quote(r.service) + "," + tx.quote(r.service_version) + "," +
             tx.quote(r.method) + "," + tx.quote(r.path) + "," + tx.quote(r.user_id) + "," +
             tx.quote(r.purpose) + "," + tx.quote(r.client_address) + "," +
             std::to_string(r.status) + "," + std::to_string(r.request_bytes) + "," +
             std::to_string(r.response_bytes) + "," + tx.quote(r.request_sha256) + "," +
             tx.quote(r.response_sha256) + "," + at + "," + at + "," + at + "," + at + "," + at +
             ")";
    }
    tx.exec(sql);
    tx.commit();
  }
  return static_cast<double>(records) / (ms_since(start) / 1000);
}

void row(const std::string& measure, const std::string& value, const std::string& target,
         const std::string& verdict) {
  std::printf("| %-44s | %-24s | %-10s | %-4s |\n", measure.c_str(), value.c_str(), target.c_str(),
              verdict.c_str());
}

std::string format_ms(const std::vector<double>& times) {
  char text[64];
  std::snprintf(text, sizeof text, "p50 %.2f  p95 %.2f ms", percentile(times, 0.5),
                percentile(times, 0.95));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Lienthong audit-log benchmark"};
  std::string server_url;
  std::int64_t rows = 10'000'000;
  std::int64_t writer_records = 100'000;
  int samples = 200;
  int rounds = 3;
  bool reuse = false;
  app.add_option("--server-url", server_url,
                 "PostgreSQL URL of a database to create the benchmark's from")
      ->required();
  app.add_option("--rows", rows, "synthetic records loaded before querying");
  app.add_option("--writer-records", writer_records, "records per writer / INSERT round");
  app.add_option("--samples", samples, "API calls of each kind");
  app.add_option("--rounds", rounds, "writer and INSERT rounds, alternating (median reported)");
  app.add_flag("--reuse", reuse,
               "keep the loaded database from an earlier run with the same --rows");
  CLI11_PARSE(app, argc, argv);

  try {
    const std::string name = "lt_bench_audit_" + std::to_string(rows);
    const std::string url = with_database(server_url, name);
    {
      pqxx::connection server(server_url);
      pqxx::nontransaction tx(server);
      const bool exists =
          tx.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name)[0]
              .as<int>() == 1;
      if (!reuse || !exists) {
        tx.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        tx.exec("CREATE DATABASE " + name);
        registry::migrate(url);
        load(url, rows);
      }
    }
    registry::migrate(url);  // a reused database gets migrations added since
    std::fprintf(stderr, "querying through the auditor API...\n");
    const auto api = measure_api(url, rows, samples);

    std::vector<double> writer, insert;
    for (int round = 0; round < rounds; ++round) {
      std::fprintf(stderr, "writer round %d of %d...\n", round + 1, rounds);
      insert.push_back(insert_rate(url, "bench-insert-" + std::to_string(round), writer_records));
      writer.push_back(
          writer_rate(url, "bench-writer-" + std::to_string(round), writer_records, 256));
    }
    const double writer_median = percentile(writer, 0.5);
    const double insert_median = percentile(insert, 0.5);
    const double ratio = writer_median / insert_median;

    pqxx::connection connection(url);
    pqxx::read_transaction tx(connection);
    const auto total = tx.exec1("SELECT count(*) FROM audit_records")[0].as<std::int64_t>();
    const auto partitions =
        tx.exec1("SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit_records'::regclass")[0]
            .as<int>();
    const auto version = tx.exec1("SHOW server_version")[0].as<std::string>();

    std::printf(
        "\nAudit log benchmark: %lld records in audit_records (%d partitions), PostgreSQL %s\n",
        static_cast<long long>(total), partitions, version.c_str());
    std::printf(
        "API calls go through AdminApi::handle (token check, transaction, query, JSON), "
        "in process; %d samples each.\n\n",
        samples);
    row("measure", "result", "target", "met");
    row("--------------------------------------------", "------------------------", "----------",
        "----");
    const auto verdict = [](bool ok) { return std::string(ok ? "yes" : "NO"); };
    row("lookup by message id", format_ms(api.by_message_id), "< 5 ms",
        verdict(percentile(api.by_message_id, 0.95) < 5));
    row("one-day page of 100, one consumer", format_ms(api.day_page), "< 50 ms",
        verdict(percentile(api.day_page, 0.95) < 50));
    row("next page of the same (keyset)", format_ms(api.next_page), "", "");
    row("one record by id", format_ms(api.by_id), "", "");
    row("connectivity, 30 days: first call (roll-up)", format_ms(api.connectivity_first), "", "");
    row("connectivity, 30 days: later calls", format_ms(api.connectivity), "< 1 s",
        verdict(percentile(api.connectivity, 0.95) < 1000));
    char text[64];
    std::snprintf(text, sizeof text, "%.0f records/s", writer_median);
    row("audit writer (chain, COPY, 256 in flight)", text, "", "");
    std::snprintf(text, sizeof text, "%.0f records/s", insert_median);
    row("plain batched INSERT, same rows and table", text, "", "");
    std::snprintf(text, sizeof text, "%.2f", ratio);
    row("writer / plain INSERT (median of " + std::to_string(rounds) + ")", text, ">= 0.70",
        verdict(ratio >= 0.7));
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "audit benchmark: " << e.what() << "\n";
    return 1;
  }
}

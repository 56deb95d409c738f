#include "lienthong/evidence/timestamper.hpp"

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/trusted_timestamp.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/thread_name.hpp"
#include "lienthong/core/timestamp.hpp"
#include "lienthong/evidence/digest_stamp.hpp"
#include "lienthong/net/http_endpoint.hpp"

namespace lienthong::evidence {

struct Timestamper::Impl {
  TimestamperOptions options;
  audit::TsaTrust trust;
  std::shared_ptr<audit::TimestampHealth> health;
  std::shared_ptr<spdlog::logger> logger;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;

  Impl(TimestamperOptions o, audit::TsaTrust t, std::shared_ptr<audit::TimestampHealth> h,
       std::shared_ptr<spdlog::logger> l)
      : options(std::move(o)), trust(std::move(t)), health(std::move(h)), logger(std::move(l)) {}

  // What one token covers: every checkpoint of a chain since the chain's
  // last token, oldest first (at most kBatchLimit, the rest next round).
  // For a chain never stamped, its newest kBatchLimit checkpoints: all of
  // them on a new hub, so checkpoints signed while the authority could not
  // yet be reached get dated too (their records' evidence depends on it);
  // a long history from before timestamping stays under the full chain's
  // verification.
  static constexpr int kBatchLimit = 100'000;
  struct Batch {
    std::int64_t newest_id = 0;
    std::string text;  // audit::timestamp_batch
  };
  std::optional<Batch> unstamped(pqxx::connection& connection, const std::string& chain) {
    pqxx::read_transaction tx(connection);
    // Walks back from the newest checkpoint through the (node, seq) index.
    const auto last = tx.exec_params(
        "SELECT c.seq FROM audit_checkpoints c WHERE c.node = $1 AND EXISTS (SELECT 1 FROM "
        "audit_timestamps t WHERE t.checkpoint_id = c.id) ORDER BY c.seq DESC LIMIT 1",
        chain);
    const auto rows =
        last.empty()
            ? tx.exec_params("SELECT * FROM (SELECT id, seq, record_hash, " + micros("signed_at") +
                                 " AS signed_at, signature, from_seq, records_root FROM "
                                 "audit_checkpoints WHERE node = $1 ORDER BY seq DESC LIMIT $2) "
                                 "newest ORDER BY seq",
                             chain, kBatchLimit)
            : tx.exec_params("SELECT id, seq, record_hash, " + micros("signed_at") +
                                 ", signature, from_seq, records_root FROM audit_checkpoints "
                                 "WHERE node = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                             chain, last[0][0].as<std::int64_t>(), kBatchLimit);
    if (rows.empty())
      return std::nullopt;
    std::vector<audit::BatchEntry> entries;
    for (const auto& row : rows) {
      audit::SealedRecords sealed;
      if (!row[5].is_null())
        sealed = {row[5].as<std::int64_t>(), row[6].as<std::string>()};
      const auto seq = row[1].as<std::int64_t>();
      entries.push_back({seq, sha256_hex(audit::timestamped_checkpoint_text(
                                  chain, seq, row[2].as<std::string>(), row[3].as<std::int64_t>(),
                                  row[4].as<std::string>(), sealed))});
    }
    return Batch{rows[rows.size() - 1][0].as<std::int64_t>(),
                 audit::timestamp_batch(chain, entries)};
  }

  static std::string micros(const char* column) {
    return std::string("(extract(epoch FROM ") + column + ") * 1000000)::bigint";
  }

  // A token for one batch, checked, then kept (another node may have kept
  // one for the same admin-chain checkpoints meanwhile: one is enough).
  Status stamp(pqxx::connection& connection, const Batch& batch) {
    const std::string digest_hex = sha256_hex(batch.text);
    auto token =
        stamp_digest(options.tsa_url, trust, from_hex(digest_hex).value(), options.timeout);
    if (!token.has_value())
      return std::move(token).error();
    pqxx::work tx(connection);
    tx.exec_params(
        "INSERT INTO audit_timestamps (checkpoint_id, digest, token, generated_at, tsa, serial, "
        "requested_by, batch) VALUES ($1, $2, decode($3, 'hex'), $4, $5, $6, $7, $8) ON CONFLICT "
        "(checkpoint_id) DO NOTHING",
        batch.newest_id, digest_hex, to_hex(token.value().der),
        to_rfc3339(token.value().generated_at), token.value().tsa_subject, token.value().serial_hex,
        options.node, batch.text);
    tx.commit();
    return Ok{};
  }

  Result<int> round() {
    int stamped = 0;
    std::string failure;
    try {
      pqxx::connection connection(options.database_url);
      for (const std::string& chain :
           {options.node, std::string(audit::kAdminChain), std::string(audit::kReadsChain)}) {
        const auto batch = unstamped(connection, chain);
        if (!batch)
          continue;
        if (auto done = stamp(connection, *batch); done.has_value())
          ++stamped;
        else if (failure.empty())
          failure = done.error().detail;
      }
    } catch (const std::exception& e) {
      failure = std::string("cannot read or keep checkpoints' timestamps: ") + e.what();
    }
    if (!failure.empty()) {
      health->failed();
      if (logger)
        logger->warn("audit timestamps: {}", failure);
      return make_error(ErrorCode::kProviderUnavailable, failure);
    }
    // Nothing to stamp is no failure: an idle node's newest checkpoint has
    // its token already.
    health->succeeded(stamped);
    return stamped;
  }

  void run() {
    name_this_thread("lt-timestamps");
    std::unique_lock lock(mutex);
    while (!stopping) {
      lock.unlock();
      (void)round();
      lock.lock();
      wake.wait_for(lock, options.interval, [this] { return stopping; });
    }
  }
};

Timestamper::Timestamper(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Timestamper>> Timestamper::create(
    TimestamperOptions options, std::shared_ptr<audit::TimestampHealth> health,
    std::shared_ptr<spdlog::logger> logger) {
  if (auto url = net::HttpEndpoint::parse(options.tsa_url); !url.has_value())
    return make_error(ErrorCode::kClientBadRequest, "audit.timestamp_url: " + url.error().detail);
  auto trust = audit::TsaTrust::from_pem(options.tsa_ca_pem);
  if (!trust.has_value())
    return make_error(ErrorCode::kClientBadRequest, "audit.timestamp_ca: " + trust.error().detail);
  return std::unique_ptr<Timestamper>(new Timestamper(std::make_unique<Impl>(
      std::move(options), std::move(trust).value(), std::move(health), std::move(logger))));
}

Timestamper::Configured Timestamper::from_config(const Config& config,
                                                 std::shared_ptr<spdlog::logger> logger) {
  const auto& audit = config.audit;
  if (audit.timestamp_url.empty())
    return {};
  if (audit.timestamp_ca.empty())
    throw ConfigError(
        "audit.timestamp_ca: the authority's CA certificate (PEM) is needed to "
        "check its tokens");
  std::ifstream in(audit.timestamp_ca, std::ios::binary);
  std::ostringstream pem;
  pem << in.rdbuf();
  if (!in)
    throw ConfigError("audit.timestamp_ca: cannot read " + audit.timestamp_ca);
  auto health = std::make_shared<audit::TimestampHealth>(
      std::chrono::seconds(audit.timestamp_failure_seconds));
  auto timestamper =
      create({config.database.url, config.node.name, audit.timestamp_url, pem.str(),
              std::chrono::seconds(audit.timestamp_seconds), std::chrono::milliseconds(10'000)},
             health, std::move(logger));
  if (!timestamper.has_value())
    throw ConfigError(timestamper.error().detail);
  return {std::move(health),
          std::make_shared<const audit::TsaTrust>(audit::TsaTrust::from_pem(pem.str()).value()),
          std::move(timestamper).value()};
}

Timestamper::~Timestamper() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

void Timestamper::start() {
  impl_->thread = std::thread([this] { impl_->run(); });
}

Result<int> Timestamper::stamp_newest() {
  return impl_->round();
}

}  // namespace lienthong::evidence

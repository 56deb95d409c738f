#pragma once
// Gets the checkpoints of each chain this node signs (its own, and the
// admin-change chain) a trusted timestamp (RFC 3161) from the configured
// Time-Stamping Authority, every `interval`, off the request path: one token
// per chain and round covers the batch of its checkpoints since the last
// token (audit::timestamp_batch), and each checkpoint its records through
// the chain and its tree, as X-Road batches its timestamps. Each token is checked against the
// authority's pinned CA before it is kept (audit_timestamps). How the attempts go is told to
// `health`, which takes the node out of service once they have failed for longer than its period.

#include <chrono>
#include <memory>
#include <string>

#include "lienthong/audit/timestamp_health.hpp"
#include "lienthong/audit/trusted_timestamp.hpp"
#include "lienthong/core/config.hpp"
#include "lienthong/core/result.hpp"

namespace spdlog {
class logger;
}

namespace lienthong::evidence {

struct TimestamperOptions {
  std::string database_url;
  std::string node;        // config node.name: whose chain, and who asked
  std::string tsa_url;     // http:// or https:// (RFC 3161 3.4)
  std::string tsa_ca_pem;  // the authority's CA certificate(s), pinned
  std::chrono::seconds interval{60};
  std::chrono::milliseconds timeout{10'000};
};

class Timestamper {
 public:
  // Client.BadRequest when the URL or the CA cannot be used.
  static Result<std::unique_ptr<Timestamper>> create(TimestamperOptions options,
                                                     std::shared_ptr<audit::TimestampHealth> health,
                                                     std::shared_ptr<spdlog::logger> logger);
  // From the [audit] timestamp settings (the CA file read now), with a
  // health of timestamp_failure_seconds; null while timestamp_url is empty.
  // Throws ConfigError when a setting cannot be used.
  struct Configured {
    std::shared_ptr<audit::TimestampHealth> health;
    std::shared_ptr<const audit::TsaTrust> trust;  // the pinned CA, for verification
    std::unique_ptr<Timestamper> timestamper;
  };
  static Configured from_config(const Config& config, std::shared_ptr<spdlog::logger> logger);
  ~Timestamper();  // stops the thread
  Timestamper(const Timestamper&) = delete;
  Timestamper& operator=(const Timestamper&) = delete;

  // Stamps on a thread of its own, at once and then every interval.
  void start();
  // One round on the caller's thread: how many batches got a token now,
  // or why a round failed (also told to the health).
  Result<int> stamp_newest();

 private:
  struct Impl;
  explicit Timestamper(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::evidence

// The audit writer's witness side (writer_impl.hpp): publishing the
// checkpoints it signed outside the database.
#include <spdlog/spdlog.h>

#include "lienthong/audit/audit_chain.hpp"

#include "record_rows.hpp"
#include "writer_impl.hpp"

namespace lienthong::audit {

void AuditWriter::Impl::publish_to_witness() {
  if (options.witness_dir.empty() || !unpublished || !connection)
    return;
  try {
    if (!witness)
      witness.emplace(options.witness_dir, options.node);
    const std::int64_t own = witness->last_seq(options.node);
    if (own > head.seq && !rewind_reported) {
      // The database lost records the witness saw sealed (a restore from an
      // older backup, or deletion): verification with the witness says so.
      logger->error(
          "audit: the database's chain of node {} ends at record {}, but {} holds its checkpoint "
          "at record {}: records were removed from the database",
          options.node, head.seq, witness->path(options.node).string(), own);
      rewind_reported = true;
    }
    pqxx::nontransaction tx(*connection);
    // Every checkpoint of this node's chain, and those of the linked chains
    // (admin changes, audited reads) that this node's key signed, after
    // what the file holds.
    const auto rows = tx.exec_params(
        "SELECT node, seq, record_hash, " + micros_column("signed_at") +
            ", key_id, signature, from_seq, records_root FROM audit_checkpoints "
            "WHERE (node = $1 AND seq > $2) OR (node = $3 AND key_id = $4 AND seq > $5) "
            "OR (node = $6 AND key_id = $4 AND seq > $7) ORDER BY id",
        options.node, own, std::string(kAdminChain), key->key_id(), witness->last_seq(kAdminChain),
        std::string(kReadsChain), witness->last_seq(kReadsChain));
    std::vector<WitnessedCheckpoint> checkpoints;
    checkpoints.reserve(rows.size());
    for (const auto& row : rows) {
      checkpoints.push_back({row[0].as<std::string>(), row[1].as<std::int64_t>(),
                             row[2].as<std::string>(), row[3].as<std::int64_t>(),
                             row[4].as<std::string>(), row[5].as<std::string>(),
                             sealed_records(row[6], row[7])});
    }
    witness->append(checkpoints);
    unpublished = false;
    if (unwitnessed_since.exchange(0) != 0)
      logger->info("audit: checkpoints published to the witness again");
  } catch (const std::exception& e) {
    witness_failures.fetch_add(1, std::memory_order_relaxed);
    std::int64_t none = 0;
    unwitnessed_since.compare_exchange_strong(none, steady_nanos());
    logger->error("audit: checkpoints not published to the witness (retried): {}", e.what());
  }
}

bool AuditWriter::Impl::witness_lagging() const {
  const auto since = unwitnessed_since.load();
  return since != 0 &&
         steady_nanos() - since >
             std::chrono::duration_cast<std::chrono::nanoseconds>(options.witness_grace).count();
}

}  // namespace lienthong::audit

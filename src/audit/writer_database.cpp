// The audit writer's database side (writer_impl.hpp): its connection and the
// node's chain lock, writing a batch, sealing the chain.
#include <algorithm>
#include <stdexcept>
#include <string>

#include <boost/system/errc.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/timestamp.hpp"

#include "record_rows.hpp"
#include "record_values.hpp"
#include "writer_impl.hpp"

namespace lienthong::audit {

void AuditWriter::Impl::try_reconnect() {
  try {
    connect();
    writable.store(true);
    logger->info("audit writer: database reachable again");
  } catch (const std::exception& e) {
    logger->debug("audit writer: database still unreachable: {}", e.what());
  }
}

void AuditWriter::Impl::connect() {
  if (connection && connection->is_open()) {
    // Read what the server sent while we were idle: if it ended the
    // session, the connection shows closed now, and we open a new one
    // instead of failing the next batch on it.
    try {
      connection->get_notifs();
    } catch (const pqxx::broken_connection&) {
      connection.reset();
    }
    if (connection && connection->is_open())
      return;
  }
  connection.reset();
  auto fresh = std::make_unique<pqxx::connection>(options.database_url);
  pqxx::nontransaction tx(*fresh);
  // A predecessor that just stopped (a restart, a writer replaced) holds
  // the lock until its server process has ended, a moment after it
  // disconnected: wait that moment out before calling it a second writer.
  const auto give_up = std::chrono::steady_clock::now() + kPredecessorGrace;
  while (!tx.exec_params1("SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                          "lienthong-audit-chain:" + options.node)[0]
              .as<bool>()) {
    if (std::chrono::steady_clock::now() >= give_up) {
      throw std::runtime_error("another process is writing the audit chain of node '" +
                               options.node + "'; node.name must be unique per process");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // The key signs this node's chain and the linked chains' heads.
  for (const std::string_view chain : {std::string_view(options.node), kAdminChain, kReadsChain}) {
    tx.exec_params(
        "INSERT INTO audit_signing_keys (key_id, node, public_key) VALUES ($1, $2, $3) "
        "ON CONFLICT (node, key_id) DO NOTHING",
        key->key_id(), std::string(chain), key->public_key_pem());
    // A chain with a registered key always has a checkpoint from here on:
    // one without any has been deleted (audit_verifier.hpp).
    sign_head(tx, *key, chain, 0, std::string(kGenesisHash), options.clock());
  }
  head = load_chain_head(tx, options.node);
  if (!in_doubt.empty()) {
    // The unconfirmed COMMIT went through if the chain reaches its last record.
    if (head.seq >= in_doubt_last_seq) {
      for (auto& record : in_doubt)
        record = as_unavailable(std::move(record), options.clock());
      queue_follow_ups(std::move(in_doubt));
    }
    in_doubt.clear();
  }
  for (std::size_t i = 0; i < kLinkedChains.size(); ++i)
    linked_sealed_seq[i] = last_sealed_seq(tx, kLinkedChains[i].name);
  connection = std::move(fresh);
  unpublished = true;  // the genesis, and whatever an earlier run left unpublished
}

void AuditWriter::Impl::prepare_partitions(std::chrono::year_month month) {
  if (partitions_ready == month)
    return;
  try {
    pqxx::work tx(*connection);
    tx.exec_params("SELECT lt_audit_ensure_partitions($1, $2)", to_rfc3339(month_start(month)),
                   options.partitions_ahead);
    tx.commit();
    partitions_ready = month;
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception& e) {
    logger->warn("audit partitions for {} not created (retried next batch): {}", month_text(month),
                 e.what());
  }
}

LinkedSeqs AuditWriter::Impl::insert_checkpoint(pqxx::transaction_base& tx, const ChainHead& at) {
  if (at.seq > 0)
    sign_head(tx, *key, options.node, at.seq, at.hash, options.clock(),
              records_to_seal(tx, options.node, at.seq));
  LinkedSeqs sealed{};
  for (std::size_t i = 0; i < kLinkedChains.size(); ++i) {
    const auto last = tx.exec("SELECT seq, record_hash FROM " +
                              std::string(kLinkedChains[i].table) + " ORDER BY seq DESC LIMIT 1");
    if (last.empty() || last[0][0].as<std::int64_t>() <= linked_sealed_seq[i])
      continue;
    sign_head(tx, *key, kLinkedChains[i].name, last[0][0].as<std::int64_t>(),
              last[0][1].as<std::string>(), options.clock());
    sealed[i] = last[0][0].as<std::int64_t>();
  }
  return sealed;
}

namespace {

// The later of two seals, chain by chain.
void keep_latest(LinkedSeqs& into, const LinkedSeqs& from) {
  for (std::size_t i = 0; i < into.size(); ++i)
    into[i] = std::max(into[i], from[i]);
}

}  // namespace

boost::system::error_code AuditWriter::Impl::write(std::vector<Pending>& batch) {
  try {
    connect();
    const TimePoint now = options.clock();
    const auto month = utc_month(now);
    prepare_partitions(month);
    if (body_sealer) {
      for (auto& pending : batch)
        body_sealer->seal(*connection, pending.record, month);
    }
    const ChainHead before = head;
    ChainHead next = head;
    // The last month's stretch of the chain gets sealed before this month's begins.
    const bool month_sealed = next.month && *next.month != month && next.seq > next.sealed_seq;
    if (month_sealed)
      next.sealed_seq = next.seq;
    next.month = month;
    const std::string committed_at = to_rfc3339(now);
    // Writers of all nodes take turns, so ids are handed out in commit
    // order: an auditor paging by id never misses a row that commits late.
    std::string sql = "BEGIN;SELECT pg_advisory_xact_lock(" + std::to_string(kCommitOrderLock) +
                      ");" + record_insert_prefix();
    sql.reserve(sql.size() + batch.size() * 1'024);
    for (auto& pending : batch) {
      pending.record.node = options.node;
      next.hash = chain_hash(next.hash, ++next.seq, pending.record);
      // Read only once the claim says committed (pending_record.hpp).
      if (pending.done.ticket)
        pending.done.ticket->receipt = RecordReceipt{next.seq, next.hash};
      append_record_values(sql, *connection, pending.record, next.seq, next.hash, committed_at,
                           &pending == &batch.front());
    }
    // Every checkpoint_records records, and every checkpoint_interval while
    // records keep arriving (the idle loop seals only after a quiet interval).
    const bool sealed = next.seq - next.sealed_seq >= options.checkpoint_records ||
                        std::chrono::steady_clock::now() - sealed_at >= options.checkpoint_interval;
    if (sealed)
      next.sealed_seq = next.seq;
    pqxx::nontransaction tx(*connection);
    LinkedSeqs linked_sealed{};
    if (month_sealed || sealed) {
      tx.exec(sql);
      if (month_sealed)
        linked_sealed = insert_checkpoint(tx, before);
      if (sealed)
        keep_latest(linked_sealed, insert_checkpoint(tx, next));
      sql = "COMMIT";
    } else {
      sql += ";COMMIT";
    }
    commit_batch(tx, sql, batch, next.seq);
    unpublished = unpublished || month_sealed || sealed;
    keep_latest(linked_sealed_seq, linked_sealed);
    if (next.sealed_seq != head.sealed_seq) {
      sealed_at = std::chrono::steady_clock::now();
      checkpoints.fetch_add(1, std::memory_order_relaxed);
    }
    head = next;
    committed.fetch_add(batch.size(), std::memory_order_relaxed);
    return {};
  } catch (const std::exception& e) {
    // Includes an outcome in doubt: when we cannot know the batch is
    // durable we report failure, so no exchange is ever answered
    // unaudited; the chain head is read again on reconnect.
    failed.fetch_add(1, std::memory_order_relaxed);
    logger->error("audit batch of {} records not committed: {}", batch.size(), e.what());
    connection.reset();
    return make_error_code(boost::system::errc::io_error);
  }
}

void AuditWriter::Impl::commit_batch(pqxx::nontransaction& tx, const std::string& sql,
                                     const std::vector<Pending>& batch, std::int64_t last_seq) {
  try {
    // Every statement before the COMMIT either succeeded or stopped the
    // query with an error (the rest of a query string is skipped), so the
    // COMMIT never meets a failed transaction it would quietly roll back.
    tx.exec(sql);
    if (options.after_commit)
      options.after_commit();
  } catch (const pqxx::sql_error&) {
    throw;
  } catch (const pqxx::broken_connection&) {
    remember_in_doubt(batch, last_seq);
    throw;
  } catch (const pqxx::in_doubt_error&) {
    remember_in_doubt(batch, last_seq);
    throw;
  }
}

void AuditWriter::Impl::remember_in_doubt(const std::vector<Pending>& batch,
                                          std::int64_t last_seq) {
  for (const auto& pending : batch)
    in_doubt.push_back(pending.record);
  in_doubt_last_seq = last_seq;
}

void AuditWriter::Impl::seal_quietly() {
  try {
    connect();
    pqxx::work tx(*connection);
    const bool records = head.seq > head.sealed_seq;
    const ChainHead unchanged{};  // seq 0: only the linked chains
    const LinkedSeqs linked = insert_checkpoint(tx, records ? head : unchanged);
    if (!records && linked == LinkedSeqs{})
      return;
    tx.commit();
    unpublished = true;
    keep_latest(linked_sealed_seq, linked);
    if (!records)
      return;
    head.sealed_seq = head.seq;
    sealed_at = std::chrono::steady_clock::now();
    checkpoints.fetch_add(1, std::memory_order_relaxed);
  } catch (const std::exception& e) {
    logger->warn("audit checkpoint not written (retried later): {}", e.what());
    connection.reset();
  }
}
}  // namespace lienthong::audit

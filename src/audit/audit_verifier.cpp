#include "lienthong/audit/audit_verifier.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/timestamp.hpp"

#include "chain_check.hpp"
#include "record_rows.hpp"
#include "timestamp_check.hpp"

namespace lienthong::audit {
namespace {

constexpr int kPageRows = 5'000;

// What a chain's entries are: a node's audit records, the admin changes
// (kAdminChain) or the audited reads (kReadsChain).
enum class Entries { kRecords, kAdminChanges, kReads };

Entries entries_of(std::string_view chain) {
  return chain == kAdminChain   ? Entries::kAdminChanges
         : chain == kReadsChain ? Entries::kReads
                                : Entries::kRecords;
}

// $1 is the chain's name in every query; a linked table holds one chain.
std::string table_of(Entries entries) {
  switch (entries) {
    case Entries::kAdminChanges:
      return "admin_changes WHERE $1::text IS NOT NULL";
    case Entries::kReads:
      return "audit_reads WHERE $1::text IS NOT NULL";
    case Entries::kRecords:
      break;
  }
  return "audit_records WHERE node = $1";
}

// One chain as stored in PostgreSQL, fed to a ChainCheck.
class ChainVerifier {
 public:
  ChainVerifier(pqxx::transaction_base& tx, const VerifyOptions& options, const std::string& node)
      : tx_(tx),
        options_(options),
        entries_(entries_of(node)),
        table_(table_of(entries_)),
        check_(node, load_checkpoints(tx, node), load_signing_keys(tx, node),
               options.trusted_key_ids) {}

  ChainReport run() {
    const std::string& node = check_.report().node;
    // Records archived out of the database (a prefix of the chain) were
    // verified when archived; their file is verified offline.
    std::int64_t archived_seq = 0;
    std::string archived_hash(kGenesisHash);
    if (const auto archived = archived_end(tx_, node)) {
      std::tie(archived_seq, archived_hash) = *archived;
      check_.report().archived_to_seq = archived_seq;
    }
    const auto [low, high] = seq_range(archived_seq);
    // Start from the last checkpoint before the range (its hash is signed),
    // or from the end of the archived records, or the genesis of the chain.
    std::int64_t seq = 0;
    std::string hash(kGenesisHash);
    const auto& checkpoints = check_.checkpoints();
    if (auto it = checkpoints.lower_bound(low); it != checkpoints.begin()) {
      const Checkpoint& before = std::prev(it)->second;
      if (before.seq >= archived_seq) {
        if (!check_.check_signature(before))
          return std::move(check_.report());
        if (before.seq == 0 && before.record_hash != kGenesisHash) {
          check_.problem("checkpoint", 0, std::nullopt,
                         "the genesis checkpoint " + std::to_string(before.id) +
                             " seals another hash than the genesis");
          return std::move(check_.report());
        }
        if (before.seq == archived_seq && archived_seq > 0 && before.record_hash != archived_hash) {
          check_.problem("checkpoint", before.seq, std::nullopt,
                         "the archive's last link for record " + std::to_string(before.seq) +
                             " differs from the signed checkpoint " + std::to_string(before.id));
          return std::move(check_.report());
        }
        seq = before.seq;
        hash = before.record_hash;
      }
    }
    if (archived_seq > seq) {
      seq = archived_seq;
      hash = archived_hash;
    }
    check_.start(seq, hash);
    // ...to the first checkpoint at or after the range's end, so the records
    // checked are sealed on both sides.
    std::int64_t end = high;
    if (const auto after = checkpoints.lower_bound(high); after != checkpoints.end())
      end = after->first;
    walk(end);
    check_.finish(end);
    const ChainReport& report = check_.report();
    if (!report.problem && report.records_checked == 0 && archived_seq == 0 &&
        checkpoints.empty() && !options_.from && !options_.to && has_signing_key()) {
      check_.problem("missing", 0, std::nullopt,
                     "a signing key is registered for this chain, but no record or checkpoint of "
                     "it is left, not even the genesis checkpoint its writer signs when it "
                     "starts: the chain was deleted");
    } else if (!report.problem && report.unsealed_records > 0 && !options_.to &&
               options_.unsealed_limit) {
      check_unsealed();
    }
    if (!report.problem && options_.timestamp_trust)
      check_timestamps(tx_, check_, *options_.timestamp_trust);
    return std::move(check_.report());
  }

 private:
  // The seqs of the records received in [from, to]; the whole chain (after
  // what was archived) by default.
  std::pair<std::int64_t, std::int64_t> seq_range(std::int64_t archived_seq) {
    const std::string& node = check_.report().node;
    const auto bound = [&](const char* aggregate, const char* comparison,
                           const std::optional<TimePoint>& time) -> std::optional<std::int64_t> {
      const std::string sql =
          std::string("SELECT ") + aggregate + "(seq) FROM " + table_ + " AND seq IS NOT NULL" +
          (time ? std::string(linked() ? " AND at " : " AND received_at ") + comparison + " $2"
                : "");
      const auto row =
          time ? tx_.exec_params1(sql, node, to_rfc3339(*time)) : tx_.exec_params1(sql, node);
      if (row[0].is_null())
        return std::nullopt;
      return row[0].as<std::int64_t>();
    };
    const std::int64_t low = bound("min", ">=", options_.from).value_or(archived_seq + 1);
    std::int64_t high = bound("max", "<=", options_.to).value_or(0);
    const auto& checkpoints = check_.checkpoints();
    if (!options_.to && !checkpoints.empty())
      high = std::max(high, checkpoints.rbegin()->first);  // a sealed tail must be there
    return {low, high};
  }

  bool has_signing_key() {
    return tx_
        .exec_params1("SELECT EXISTS (SELECT 1 FROM audit_signing_keys WHERE node = $1)",
                      check_.report().node)[0]
        .as<bool>();
  }

  // Records after the last checkpoint are normal for a few seconds; for
  // longer than the limit, only when checkpoints were taken away.
  void check_unsealed() {
    const ChainReport& report = check_.report();
    const std::int64_t first = report.to_seq - report.unsealed_records + 1;
    const auto rows = tx_.exec_params("SELECT " + micros_column(linked() ? "at" : "committed_at") +
                                          " FROM " + table_ + " AND seq = $2",
                                      report.node, first);
    if (rows.empty())
      return;
    const TimePoint committed = from_micros(rows[0][0].as<std::int64_t>());
    const TimePoint now = options_.now.value_or(std::chrono::system_clock::now());
    if (now - committed <= *options_.unsealed_limit)
      return;
    const auto hours = std::chrono::duration_cast<std::chrono::hours>(now - committed).count();
    check_.problem(
        "unsealed", first, std::nullopt,
        "records " + std::to_string(first) + " to " + std::to_string(report.to_seq) +
            " have no checkpoint, though record " + std::to_string(first) + " was written at " +
            to_rfc3339(committed) + " (" + std::to_string(hours) +
            " h ago): the checkpoints that sealed them were removed, or their node stopped "
            "without sealing and was never started again (starting it seals them)");
  }

  // Follows the chain through `end`, page by page.
  void walk(std::int64_t end) {
    for (;;) {
      const auto rows = tx_.exec_params("SELECT " + columns() + " FROM " + table_ +
                                            " AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT " +
                                            std::to_string(kPageRows),
                                        check_.report().node, check_.seq(), end);
      for (const auto& row : rows) {
        const auto id = row[0].as<std::int64_t>();
        const auto seq = row[1].as<std::int64_t>();
        const std::string stored = row[2].is_null() ? std::string() : row[2].as<std::string>();
        bool linked = false;
        switch (entries_) {
          case Entries::kAdminChanges:
            linked = check_.add_link(id, seq, stored,
                                     admin_change_hash(check_.hash(), admin_change_from_row(row)));
            break;
          case Entries::kReads:
            linked = check_.add_link(id, seq, stored,
                                     audit_read_hash(check_.hash(), audit_read_from_row(row)));
            break;
          case Entries::kRecords:
            linked = check_.add(id, seq, stored, record_from_row(row),
                                row[kBodiesMatchColumn].as<bool>());
            break;
        }
        if (!linked)
          return;
      }
      if (rows.size() < static_cast<std::size_t>(kPageRows))
        return;
    }
  }

  bool linked() const { return entries_ != Entries::kRecords; }
  const std::string& columns() const {
    switch (entries_) {
      case Entries::kAdminChanges:
        return admin_change_columns();
      case Entries::kReads:
        return audit_read_columns();
      case Entries::kRecords:
        break;
    }
    return record_columns();
  }

  pqxx::transaction_base& tx_;
  const VerifyOptions& options_;
  const Entries entries_;
  const std::string table_;
  ChainCheck check_;
};

// The stored links of records `seqs` of `chain`, those still there.
std::map<std::int64_t, std::string> stored_links(pqxx::transaction_base& tx,
                                                 const std::string& chain,
                                                 const std::vector<std::int64_t>& seqs) {
  constexpr std::size_t kPage = 10'000;
  std::map<std::int64_t, std::string> links;
  for (std::size_t at = 0; at < seqs.size(); at += kPage) {
    std::string list = "{";
    for (std::size_t i = at; i < std::min(seqs.size(), at + kPage); ++i)
      list += (i == at ? "" : ",") + std::to_string(seqs[i]);
    list += "}";
    const auto rows = is_linked_chain(chain)
                          ? tx.exec_params("SELECT seq, record_hash FROM " +
                                               std::string(entries_of(chain) == Entries::kReads
                                                               ? "audit_reads"
                                                               : "admin_changes") +
                                               " WHERE seq = ANY($1::bigint[])",
                                           list)
                          : tx.exec_params(
                                "SELECT seq, record_hash FROM audit_records WHERE node = $1 AND "
                                "seq = ANY($2::bigint[])",
                                chain, list);
    for (const auto& row : rows) {
      if (!row[1].is_null())
        links.emplace(row[0].as<std::int64_t>(), row[1].as<std::string>());
    }
  }
  return links;
}

// Where a head the chain is held to comes from, as the report says it.
enum class HeadSource { kSavedBefore, kWitness };

std::string seen(HeadSource source) {
  return source == HeadSource::kWitness ? "was witnessed outside the database"
                                        : "was verified before";
}

// Holds one chain that verified on its own to the heads seen of it
// outside the database (sorted by seq): it may still have been cut short
// (its tail deleted with the checkpoints that sealed it), rewritten from an
// earlier point, or removed whole.
void hold_chain(pqxx::transaction_base& tx, const std::string& node,
                std::vector<const VerifiedHead*> heads, HeadSource source, VerifyReport& report) {
  const VerifiedHead& highest = *heads.back();
  const auto seq_text = std::to_string(highest.seq);
  auto chain = std::find_if(report.chains.begin(), report.chains.end(),
                            [&](const ChainReport& c) { return c.node == node; });
  if (chain == report.chains.end()) {
    ChainReport gone;
    gone.node = node;
    gone.problem = ChainProblem{
        "truncated", 1, std::nullopt,
        "no record or checkpoint of this chain is left, but " +
            (highest.seq == 0 ? "its genesis checkpoint " : "record " + seq_text + " ") +
            seen(source)};
    report.chains.push_back(std::move(gone));
    return;
  }
  if (chain->problem)
    return;  // already broken: its first problem is the one reported
  const auto fail = [&](std::string kind, std::int64_t seq, std::string detail) {
    chain->problem = ChainProblem{std::move(kind), seq, std::nullopt, std::move(detail)};
  };
  if (highest.seq > chain->to_seq && highest.seq > chain->archived_to_seq) {
    fail("truncated", chain->to_seq + 1,
         "the chain ends at record " + std::to_string(chain->to_seq) + ", but record " + seq_text +
             " " + seen(source) + ": records " + std::to_string(chain->to_seq + 1) + " to " +
             seq_text + " were removed");
    return;
  }
  std::vector<std::int64_t> in_database;
  const auto archived = chain->archived_to_seq > 0 ? archived_end(tx, node) : std::nullopt;
  for (const VerifiedHead* head : heads) {
    if (head->seq == 0)
      continue;  // a genesis: the chain is there
    if (head->seq >= chain->from_seq) {
      in_database.push_back(head->seq);
    } else if (archived && archived->first == head->seq) {
      if (archived->second != head->record_hash) {
        fail("altered", head->seq,
             "record " + std::to_string(head->seq) + " " + seen(source) +
                 " with another link than its archive ends with");
        return;
      }
    } else if (source == HeadSource::kWitness) {
      ++chain->witnessed_archived;  // its archive file is verified offline
    } else {
      fail("unverified", head->seq,
           "record " + std::to_string(head->seq) +
               " was archived to a file after it was verified: check that file with `lienthong "
               "audit verify-archive`, then save the heads again");
      return;
    }
  }
  const auto links = stored_links(tx, node, in_database);
  for (const VerifiedHead* head : heads) {
    if (head->seq < chain->from_seq || head->seq == 0)
      continue;
    const auto link = links.find(head->seq);
    if (link == links.end() || link->second != head->record_hash) {
      fail("altered", head->seq,
           "record " + std::to_string(head->seq) + " is not the one that " + seen(source) +
               ": the chain was rewritten from there or earlier");
      return;
    }
  }
  if (source == HeadSource::kWitness)
    chain->witnessed_checked += static_cast<std::int64_t>(heads.size()) - chain->witnessed_archived;
}

void hold_to_heads(pqxx::transaction_base& tx, const std::vector<VerifiedHead>& heads,
                   const VerifyOptions& options, HeadSource source, VerifyReport& report) {
  std::map<std::string, std::vector<const VerifiedHead*>> by_chain;
  for (const auto& head : heads) {
    if (!options.node || *options.node == head.node)
      by_chain[head.node].push_back(&head);
  }
  for (auto& [node, chain_heads] : by_chain) {
    std::stable_sort(chain_heads.begin(), chain_heads.end(),
                     [](const VerifiedHead* a, const VerifiedHead* b) { return a->seq < b->seq; });
    hold_chain(tx, node, std::move(chain_heads), source, report);
  }
}

}  // namespace

bool VerifyReport::ok() const {
  return std::none_of(chains.begin(), chains.end(),
                      [](const ChainReport& chain) { return chain.problem.has_value(); });
}

VerifyReport verify_audit_log(pqxx::transaction_base& tx, const VerifyOptions& options) {
  VerifyReport report;
  // Every chain that has records, checkpoints, archives or a registered
  // signing key (a chain deleted whole still shows through what is left of
  // it), and the admin changes.
  const auto nodes =
      options.node ? tx.exec_params("SELECT $1::text", *options.node)
                   : tx.exec_params(
                         "SELECT DISTINCT node FROM audit_records WHERE seq IS NOT NULL "
                         "UNION SELECT node FROM audit_checkpoints "
                         "UNION SELECT node FROM audit_archives "
                         "UNION SELECT node FROM audit_signing_keys "
                         "UNION SELECT $1 WHERE EXISTS (SELECT 1 FROM admin_changes) "
                         "UNION SELECT $2 WHERE EXISTS (SELECT 1 FROM audit_reads) ORDER BY 1",
                         std::string(kAdminChain), std::string(kReadsChain));
  for (const auto& row : nodes)
    report.chains.push_back(ChainVerifier(tx, options, row[0].as<std::string>()).run());
  // Heads seen outside the database hold whole chains only.
  if (!options.from && !options.to) {
    hold_to_heads(tx, options.expected_heads, options, HeadSource::kSavedBefore, report);
    hold_to_heads(tx, options.witnessed_heads, options, HeadSource::kWitness, report);
  }
  report.unchained_records =
      tx.exec1("SELECT count(*) FROM audit_records WHERE seq IS NULL")[0].as<std::int64_t>();
  return report;
}

std::vector<VerifiedHead> verified_heads(const VerifyReport& report) {
  std::vector<VerifiedHead> heads;
  for (const auto& chain : report.chains) {
    if (!chain.problem && chain.to_seq > 0)
      heads.push_back({chain.node, chain.to_seq, chain.to_hash});
  }
  return heads;
}

nlohmann::json report_json(const VerifyReport& report) {
  nlohmann::json chains = nlohmann::json::array();
  for (const auto& chain : report.chains) {
    nlohmann::json entry{{"node", chain.node},
                         {"from_seq", chain.from_seq},
                         {"to_seq", chain.to_seq},
                         {"to_hash", chain.to_hash},
                         {"records_checked", chain.records_checked},
                         {"checkpoints_checked", chain.checkpoints_checked},
                         {"unsealed_records", chain.unsealed_records},
                         {"archived_to_seq", chain.archived_to_seq},
                         {"witnessed_checked", chain.witnessed_checked},
                         {"witnessed_archived", chain.witnessed_archived},
                         {"timestamps_checked", chain.timestamps_checked},
                         {"problem", nullptr}};
    if (chain.problem) {
      entry["problem"] = {{"kind", chain.problem->kind},
                          {"seq", chain.problem->seq},
                          {"record_id", nullptr},
                          {"detail", chain.problem->detail}};
      if (chain.problem->record_id)
        entry["problem"]["record_id"] = *chain.problem->record_id;
    }
    chains.push_back(std::move(entry));
  }
  return {{"ok", report.ok()},
          {"unchained_records", report.unchained_records},
          {"chains", std::move(chains)}};
}

}  // namespace lienthong::audit

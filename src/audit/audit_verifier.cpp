#include "lienthong/audit/audit_verifier.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/timestamp.hpp"

namespace lienthong::audit {
namespace {

constexpr int kPageRows = 5'000;

// A time column as PostgreSQL stores it, in exact microseconds (extract() is numeric).
std::string micros(const char* column) {
  return std::string("(extract(epoch FROM ") + column + ") * 1000000)::bigint";
}

// The columns record_from() reads, in its order.
const std::string& record_columns() {
  static const std::string columns =
      "id, seq, record_hash, node, message_id, request_id, correlation_id, consumer, provider, "
      "service, service_version, method, path, user_id, purpose, client_address, "
      "client_fingerprint, status, error_code, request_bytes, response_bytes, request_sha256, "
      "response_sha256, " +
      micros("received_at") + ", " + micros("provider_called_at") + ", " +
      micros("provider_answered_at") + ", " + micros("responded_at") +
      // A kept body is covered by the chain through its SHA-256.
      ", (request_body IS NULL OR encode(sha256(request_body), 'hex') = request_sha256) AND "
      "(response_body IS NULL OR encode(sha256(response_body), 'hex') = response_sha256)";
  return columns;
}

struct Checkpoint {
  std::int64_t id = 0;
  std::int64_t seq = 0;
  std::string record_hash;
  std::int64_t signed_at_micros = 0;
  std::string key_id;
  std::string signature;
};

std::string text(const pqxx::field& field) {
  return field.is_null() ? std::string() : field.as<std::string>();
}

AuditRecord record_from(const pqxx::row& row) {
  AuditRecord r;
  std::size_t i = 3;
  for (std::string* field : {&r.node, &r.message_id, &r.request_id, &r.correlation_id, &r.consumer,
                             &r.provider, &r.service, &r.service_version, &r.method, &r.path,
                             &r.user_id, &r.purpose, &r.client_address, &r.client_fingerprint}) {
    *field = text(row[static_cast<int>(i++)]);
  }
  r.status = row[17].as<int>();
  r.error_code = text(row[18]);
  r.request_bytes = row[19].as<std::int64_t>();
  r.response_bytes = row[20].as<std::int64_t>();
  r.request_sha256 = text(row[21]);
  r.response_sha256 = text(row[22]);
  r.received_at = from_micros(row[23].as<std::int64_t>());
  if (!row[24].is_null())
    r.provider_called_at = from_micros(row[24].as<std::int64_t>());
  if (!row[25].is_null())
    r.provider_answered_at = from_micros(row[25].as<std::int64_t>());
  r.responded_at = from_micros(row[26].as<std::int64_t>());
  return r;
}

class ChainVerifier {
 public:
  ChainVerifier(pqxx::transaction_base& tx, const VerifyOptions& options, std::string node)
      : tx_(tx), options_(options) {
    report_.node = std::move(node);
  }

  ChainReport run() {
    load_checkpoints();
    const auto [low, high] = seq_range();
    // Start from the last checkpoint before the range (its hash is signed),
    // or from the genesis of the chain.
    std::int64_t seq = 0;
    std::string hash(kGenesisHash);
    for (auto it = checkpoints_.rbegin(); it != checkpoints_.rend(); ++it) {
      if (it->first < low) {
        if (!check_signature(it->second))
          return finish();
        seq = it->first;
        hash = it->second.record_hash;
        ++report_.checkpoints_checked;
        break;
      }
    }
    // ...to the first checkpoint at or after the range's end, so the records
    // checked are sealed on both sides.
    std::int64_t end = high;
    if (const auto after = checkpoints_.lower_bound(high); after != checkpoints_.end())
      end = after->first;
    report_.from_seq = seq + 1;
    walk(seq, hash, end);
    return finish();
  }

 private:
  void load_checkpoints() {
    const auto rows = tx_.exec_params(
        "SELECT id, seq, record_hash, " + micros("signed_at") +
            ", key_id, signature FROM audit_checkpoints WHERE node = $1 ORDER BY seq",
        report_.node);
    for (const auto& row : rows) {
      Checkpoint c{row[0].as<std::int64_t>(), row[1].as<std::int64_t>(), row[2].as<std::string>(),
                   row[3].as<std::int64_t>(), row[4].as<std::string>(),  row[5].as<std::string>()};
      checkpoints_.emplace(c.seq, std::move(c));
    }
  }

  // The seqs of the records received in [from, to]; the whole chain by default.
  std::pair<std::int64_t, std::int64_t> seq_range() {
    const auto bound = [&](const char* aggregate, const char* comparison,
                           const std::optional<TimePoint>& time) -> std::optional<std::int64_t> {
      const std::string sql = std::string("SELECT ") + aggregate +
                              "(seq) FROM audit_records WHERE node = $1 AND seq IS NOT NULL" +
                              (time ? std::string(" AND received_at ") + comparison + " $2" : "");
      const auto row = time ? tx_.exec_params1(sql, report_.node, to_rfc3339(*time))
                            : tx_.exec_params1(sql, report_.node);
      if (row[0].is_null())
        return std::nullopt;
      return row[0].as<std::int64_t>();
    };
    const std::int64_t low = bound("min", ">=", options_.from).value_or(1);
    std::int64_t high = bound("max", "<=", options_.to).value_or(0);
    if (!options_.to && !checkpoints_.empty())
      high = std::max(high, checkpoints_.rbegin()->first);  // a sealed tail must be there
    return {low, high};
  }

  bool check_signature(const Checkpoint& checkpoint) {
    const auto fail = [&](const std::string& detail) {
      problem("checkpoint", checkpoint.seq, std::nullopt,
              "checkpoint " + std::to_string(checkpoint.id) + ": " + detail);
      return false;
    };
    if (!options_.trusted_key_ids.empty() &&
        std::find(options_.trusted_key_ids.begin(), options_.trusted_key_ids.end(),
                  checkpoint.key_id) == options_.trusted_key_ids.end())
      return fail("signed by key " + checkpoint.key_id + ", which is not among the trusted keys");
    if (keys_.empty()) {
      for (const auto& row : tx_.exec_params(
               "SELECT key_id, public_key FROM audit_signing_keys WHERE node = $1", report_.node))
        keys_.emplace(row[0].as<std::string>(), row[1].as<std::string>());
    }
    const auto key = keys_.find(checkpoint.key_id);
    if (key == keys_.end())
      return fail("signed by key " + checkpoint.key_id + ", not registered for this node");
    const std::string& pem = key->second;
    const auto registered_id = public_key_id(pem);
    if (!registered_id.has_value() || registered_id.value() != checkpoint.key_id)
      return fail("the registered public key does not match its key id");
    const auto valid =
        verify_signature(pem,
                         checkpoint_message(report_.node, checkpoint.seq, checkpoint.record_hash,
                                            checkpoint.signed_at_micros),
                         checkpoint.signature);
    if (!valid.has_value() || !valid.value())
      return fail("the signature does not verify: the checkpoint was altered or forged");
    return true;
  }

  // Follows the chain from (seq, hash) through `end`, page by page.
  void walk(std::int64_t seq, std::string hash, std::int64_t end) {
    for (;;) {
      const auto rows = tx_.exec_params("SELECT " + record_columns() +
                                            " FROM audit_records WHERE node = $1 AND seq > $2 "
                                            "AND seq <= $3 ORDER BY seq LIMIT " +
                                            std::to_string(kPageRows),
                                        report_.node, seq, end);
      for (const auto& row : rows) {
        const auto id = row[0].as<std::int64_t>();
        const auto row_seq = row[1].as<std::int64_t>();
        if (row_seq != seq + 1) {
          problem("missing", seq + 1, std::nullopt,
                  row_seq == seq + 2 ? "record " + std::to_string(seq + 1) + " is missing"
                                     : "records " + std::to_string(seq + 1) + " to " +
                                           std::to_string(row_seq - 1) + " are missing");
          return;
        }
        const std::string stored = text(row[2]);
        if (chain_hash(hash, row_seq, record_from(row)) != stored) {
          problem("altered", row_seq, id,
                  "record " + std::to_string(row_seq) + " (id " + std::to_string(id) +
                      ") does not hash to its link: it, or the link of the record before it, "
                      "was changed");
          return;
        }
        if (!row[27].as<bool>()) {
          problem("altered", row_seq, id,
                  "record " + std::to_string(row_seq) + " (id " + std::to_string(id) +
                      "): a kept body does not match its SHA-256");
          return;
        }
        seq = row_seq;
        hash = stored;
        ++report_.records_checked;
        report_.to_seq = seq;
        if (const auto c = checkpoints_.find(seq); c != checkpoints_.end()) {
          if (c->second.record_hash != hash) {
            problem("checkpoint", seq, id,
                    "checkpoint " + std::to_string(c->second.id) + " sealed record " +
                        std::to_string(seq) + " with another hash: the chain was rewritten");
            return;
          }
          if (!check_signature(c->second))
            return;
          ++report_.checkpoints_checked;
        }
      }
      if (rows.size() < static_cast<std::size_t>(kPageRows))
        break;
    }
    // A checkpoint beyond the last record means the tail was cut off.
    if (const auto beyond = checkpoints_.upper_bound(seq);
        beyond != checkpoints_.end() && beyond->first <= end) {
      problem("truncated", seq + 1, std::nullopt,
              "the chain ends at record " + std::to_string(seq) + " but checkpoint " +
                  std::to_string(beyond->second.id) + " sealed records up to " +
                  std::to_string(beyond->first));
      return;
    }
    const std::int64_t sealed = checkpoints_.empty() ? 0 : checkpoints_.rbegin()->first;
    report_.unsealed_records = std::max<std::int64_t>(0, seq - sealed);
  }

  void problem(std::string kind, std::int64_t seq, std::optional<std::int64_t> id,
               std::string detail) {
    if (!report_.problem)
      report_.problem = ChainProblem{std::move(kind), seq, id, std::move(detail)};
  }

  ChainReport finish() { return std::move(report_); }

  pqxx::transaction_base& tx_;
  const VerifyOptions& options_;
  ChainReport report_;
  std::map<std::int64_t, Checkpoint> checkpoints_;  // by seq
  std::map<std::string, std::string> keys_;         // the node's registered keys: id -> PEM
};

}  // namespace

bool VerifyReport::ok() const {
  return std::none_of(chains.begin(), chains.end(),
                      [](const ChainReport& chain) { return chain.problem.has_value(); });
}

VerifyReport verify_audit_log(pqxx::transaction_base& tx, const VerifyOptions& options) {
  VerifyReport report;
  // Every node that has records or checkpoints: a chain deleted whole still
  // shows through its checkpoints.
  const auto nodes = options.node
                         ? tx.exec_params("SELECT $1::text", *options.node)
                         : tx.exec(
                               "SELECT DISTINCT node FROM audit_records WHERE seq IS NOT NULL "
                               "UNION SELECT node FROM audit_checkpoints ORDER BY 1");
  for (const auto& row : nodes)
    report.chains.push_back(ChainVerifier(tx, options, row[0].as<std::string>()).run());
  report.unchained_records =
      tx.exec1("SELECT count(*) FROM audit_records WHERE seq IS NULL")[0].as<std::int64_t>();
  return report;
}

nlohmann::json report_json(const VerifyReport& report) {
  nlohmann::json chains = nlohmann::json::array();
  for (const auto& chain : report.chains) {
    nlohmann::json entry{{"node", chain.node},
                         {"from_seq", chain.from_seq},
                         {"to_seq", chain.to_seq},
                         {"records_checked", chain.records_checked},
                         {"checkpoints_checked", chain.checkpoints_checked},
                         {"unsealed_records", chain.unsealed_records},
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

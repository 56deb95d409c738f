#include "chain_head.hpp"

#include <tuple>

#include "lienthong/audit/records_tree.hpp"
#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/timestamp.hpp"

#include "record_rows.hpp"

namespace lienthong::audit {

ChainHead load_chain_head(pqxx::transaction_base& tx, const std::string& node) {
  ChainHead loaded;
  const auto last = tx.exec_params(
      "SELECT seq, record_hash, (extract(epoch FROM committed_at) * 1000000)::bigint "
      "FROM audit_records WHERE node = $1 AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
      node);
  if (!last.empty()) {
    loaded.seq = last[0][0].as<std::int64_t>();
    loaded.hash = last[0][1].as<std::string>();
    loaded.month = utc_month(from_micros(last[0][2].as<std::int64_t>()));
  } else if (const auto archived = archived_end(tx, node)) {
    // A chain whose records were all archived continues after the archive.
    std::tie(loaded.seq, loaded.hash) = *archived;
  }
  loaded.sealed_seq = last_sealed_seq(tx, node);
  return loaded;
}

std::int64_t last_sealed_seq(pqxx::transaction_base& tx, std::string_view chain) {
  return tx
      .exec_params1("SELECT coalesce(max(seq), 0) FROM audit_checkpoints WHERE node = $1",
                    std::string(chain))[0]
      .as<std::int64_t>();
}

void sign_head(pqxx::transaction_base& tx, const SigningKey& key, std::string_view chain,
               std::int64_t seq, const std::string& hash, TimePoint now,
               const SealedRecords& sealed) {
  const auto micros = to_micros(now);
  const auto signature = key.sign(checkpoint_message(chain, seq, hash, micros, sealed));
  std::optional<std::int64_t> from_seq;
  std::optional<std::string> root;
  if (!sealed.root.empty()) {
    from_seq = sealed.from_seq;
    root = sealed.root;
  }
  tx.exec_params(
      std::string("INSERT INTO audit_checkpoints (node, seq, record_hash, signed_at, key_id, "
                  "signature, from_seq, records_root) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)") +
          (is_linked_chain(chain) || seq == 0 ? " ON CONFLICT (node, seq) DO NOTHING" : ""),
      std::string(chain), seq, hash, to_rfc3339(from_micros(micros)), key.key_id(), signature,
      from_seq, root);
}

SealedRecords records_to_seal(pqxx::transaction_base& tx, const std::string& node,
                              std::int64_t seq) {
  TreeBuilder tree;
  SealedRecords sealed;
  for (const auto& row : tx.exec_params(
           "SELECT seq, record_hash FROM audit_records WHERE node = $1 AND seq > (SELECT "
           "coalesce(max(seq), 0) FROM audit_checkpoints WHERE node = $1) AND seq <= $2 "
           "ORDER BY seq",
           node, seq)) {
    if (tree.empty())
      sealed.from_seq = row[0].as<std::int64_t>();
    tree.add(row[1].as<std::string>());
  }
  if (!tree.empty())
    sealed.root = tree.root();
  return sealed;
}

}  // namespace lienthong::audit

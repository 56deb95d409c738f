#pragma once
// Where a node's audit chain stands in PostgreSQL, and sealing it: the
// writer reads the head when it (re)connects and signs it into
// audit_checkpoints. Private to the audit layer.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"

namespace lienthong::audit {

class SigningKey;

// The end of a node's chain as committed in PostgreSQL.
struct ChainHead {
  std::int64_t seq = 0;
  std::string hash{kGenesisHash};
  std::int64_t sealed_seq = 0;                   // the last checkpoint's seq
  std::optional<std::chrono::year_month> month;  // of the last record's committed_at
};

// `node`'s head: its last record, or where its archived records ended when
// all were archived; the genesis when it has none.
ChainHead load_chain_head(pqxx::transaction_base& tx, const std::string& node);

// The seq of the chain's last checkpoint (0 when none).
std::int64_t last_sealed_seq(pqxx::transaction_base& tx, std::string_view chain);

// Signs `chain`'s head (seq, hash) at `now` into audit_checkpoints within
// `tx`. Another node may have sealed the same admin-change head first, and
// a chain's genesis (seq 0, kGenesisHash) is signed once: neither is a
// conflict.
void sign_head(pqxx::transaction_base& tx, const SigningKey& key, std::string_view chain,
               std::int64_t seq, const std::string& hash, TimePoint now,
               const SealedRecords& sealed = {});

// The records of `node`'s chain after its last checkpoint up to `seq`, and
// the root of their tree (records_tree.hpp): what the next checkpoint
// signs. Empty when there are none.
SealedRecords records_to_seal(pqxx::transaction_base& tx, const std::string& node,
                              std::int64_t seq);

}  // namespace lienthong::audit

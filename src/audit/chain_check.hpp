#pragma once
// Follows one node's hash chain record by record and holds it against the
// node's signed checkpoints. Knows nothing of where records come from: the
// database verifier (audit_verifier.cpp) and the offline archive verifier
// (audit_archive.cpp) both feed it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_record.hpp"
#include "lienthong/audit/audit_verifier.hpp"
#include "lienthong/audit/records_tree.hpp"

namespace lienthong::audit {

struct Checkpoint {
  std::int64_t id = 0;
  std::int64_t seq = 0;
  std::string record_hash;
  std::int64_t signed_at_micros = 0;
  std::string key_id;
  std::string signature;  // base64 Ed25519 over checkpoint_message()
  SealedRecords sealed;   // the records' tree root, for v2 checkpoints
};

class ChainCheck {
 public:
  // `keys`: the node's registered public keys, key id -> PEM. `trusted`:
  // when not empty, the only key ids whose checkpoints count.
  ChainCheck(std::string node, std::map<std::int64_t, Checkpoint> checkpoints,
             std::map<std::string, std::string> keys, std::vector<std::string> trusted);

  const std::map<std::int64_t, Checkpoint>& checkpoints() const { return checkpoints_; }

  // Begins after record `seq` whose link is `hash` (0 and the genesis hash
  // for the chain's start).
  void start(std::int64_t seq, std::string hash);
  // Checks a checkpoint's key and signature; false (and the problem noted)
  // when it does not hold.
  bool check_signature(const Checkpoint& checkpoint);
  // A v2 checkpoint's records root against the records since the last
  // checkpoint; false (and the problem noted) when it does not hold.
  bool check_sealed_records(const Checkpoint& checkpoint);
  // The next record as stored, with its stored link; `bodies_match` is false
  // when a kept body does not hash to its recorded SHA-256. False at the
  // first problem, after which the chain is not followed further.
  bool add(std::optional<std::int64_t> id, std::int64_t seq, const std::string& stored_hash,
           const AuditRecord& record, bool bodies_match = true);
  // The same for any chain: `computed_hash` is the link recomputed from
  // hash() and the entry's own encoding.
  bool add_link(std::optional<std::int64_t> id, std::int64_t seq, const std::string& stored_hash,
                const std::string& computed_hash, bool bodies_match = true);
  // After the last record: a checkpoint sealing records up to `end` that
  // never came means the tail was cut off.
  void finish(std::int64_t end);

  void problem(std::string kind, std::int64_t seq, std::optional<std::int64_t> id,
               std::string detail);
  bool failed() const { return report_.problem.has_value(); }
  std::int64_t seq() const { return seq_; }
  const std::string& hash() const { return hash_; }
  ChainReport& report() { return report_; }

 private:
  std::map<std::int64_t, Checkpoint> checkpoints_;  // by seq
  std::map<std::string, std::string> keys_;
  std::vector<std::string> trusted_;
  ChainReport report_;
  std::int64_t seq_ = 0;
  std::string hash_;
  // The records since the last checkpoint, for a v2 checkpoint's root.
  TreeBuilder since_checkpoint_;
  std::int64_t since_seq_ = 1;  // the first of them
};

}  // namespace lienthong::audit

#include "chain_check.hpp"

#include <algorithm>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/signing_key.hpp"

namespace lienthong::audit {

ChainCheck::ChainCheck(std::string node, std::map<std::int64_t, Checkpoint> checkpoints,
                       std::map<std::string, std::string> keys, std::vector<std::string> trusted)
    : checkpoints_(std::move(checkpoints)), keys_(std::move(keys)), trusted_(std::move(trusted)) {
  report_.node = std::move(node);
}

void ChainCheck::start(std::int64_t seq, std::string hash) {
  seq_ = seq;
  hash_ = std::move(hash);
  report_.from_seq = seq + 1;
  since_checkpoint_.clear();
  since_seq_ = seq + 1;
}

bool ChainCheck::check_signature(const Checkpoint& checkpoint) {
  const auto fail = [&](const std::string& detail) {
    problem("checkpoint", checkpoint.seq, std::nullopt,
            "checkpoint " + std::to_string(checkpoint.id) + ": " + detail);
    return false;
  };
  if (!trusted_.empty() &&
      std::find(trusted_.begin(), trusted_.end(), checkpoint.key_id) == trusted_.end())
    return fail("signed by key " + checkpoint.key_id + ", which is not among the trusted keys");
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
                                          checkpoint.signed_at_micros, checkpoint.sealed),
                       checkpoint.signature);
  if (!valid.has_value() || !valid.value())
    return fail("the signature does not verify: the checkpoint was altered or forged");
  ++report_.checkpoints_checked;
  return true;
}

bool ChainCheck::add(std::optional<std::int64_t> id, std::int64_t seq,
                     const std::string& stored_hash, const AuditRecord& record, bool bodies_match) {
  return add_link(id, seq, stored_hash, chain_hash(hash_, seq, record), bodies_match);
}

bool ChainCheck::add_link(std::optional<std::int64_t> id, std::int64_t seq,
                          const std::string& stored_hash, const std::string& computed_hash,
                          bool bodies_match) {
  if (failed())
    return false;
  const std::string where =
      "record " + std::to_string(seq) + (id ? " (id " + std::to_string(*id) + ")" : "");
  if (seq <= seq_) {
    problem("altered", seq, id, where + " repeats a number already in the chain");
    return false;
  }
  if (seq != seq_ + 1) {
    problem("missing", seq_ + 1, std::nullopt,
            seq == seq_ + 2 ? "record " + std::to_string(seq_ + 1) + " is missing"
                            : "records " + std::to_string(seq_ + 1) + " to " +
                                  std::to_string(seq - 1) + " are missing");
    return false;
  }
  if (computed_hash != stored_hash) {
    problem("altered", seq, id,
            where +
                " does not hash to its link: it, or the link of the record before it, was "
                "changed");
    return false;
  }
  if (!bodies_match) {
    problem("altered", seq, id, where + ": a kept body does not match its SHA-256");
    return false;
  }
  seq_ = seq;
  hash_ = stored_hash;
  ++report_.records_checked;
  report_.to_seq = seq;
  report_.to_hash = stored_hash;
  since_checkpoint_.add(stored_hash);
  if (const auto c = checkpoints_.find(seq); c != checkpoints_.end()) {
    if (c->second.record_hash != hash_) {
      problem("checkpoint", seq, id,
              "checkpoint " + std::to_string(c->second.id) + " sealed record " +
                  std::to_string(seq) + " with another hash: the chain was rewritten");
      return false;
    }
    if (!check_signature(c->second) || !check_sealed_records(c->second))
      return false;
  }
  return true;
}

bool ChainCheck::check_sealed_records(const Checkpoint& checkpoint) {
  const SealedRecords& sealed = checkpoint.sealed;
  // A v2 checkpoint seals the records after the previous checkpoint; a
  // check that began in their midst cannot rebuild the root (and skips it).
  const bool whole = sealed.from_seq == since_seq_;
  const bool known = !sealed.root.empty() && sealed.from_seq >= since_seq_;
  const bool holds = !known || (whole && since_checkpoint_.root() == sealed.root);
  since_checkpoint_.clear();
  since_seq_ = checkpoint.seq + 1;
  if (holds)
    return true;
  problem("checkpoint", checkpoint.seq, std::nullopt,
          "checkpoint " + std::to_string(checkpoint.id) + " signs a tree of records " +
              std::to_string(sealed.from_seq) + " to " + std::to_string(checkpoint.seq) +
              " that the chain does not hold");
  return false;
}

void ChainCheck::finish(std::int64_t end) {
  if (failed())
    return;
  if (const auto beyond = checkpoints_.upper_bound(seq_);
      beyond != checkpoints_.end() && beyond->first <= end) {
    problem("truncated", seq_ + 1, std::nullopt,
            "the chain ends at record " + std::to_string(seq_) + " but checkpoint " +
                std::to_string(beyond->second.id) + " sealed records up to " +
                std::to_string(beyond->first));
    return;
  }
  // Sealed: the last checkpoint at or before the chain's end.
  std::int64_t sealed = 0;
  if (auto it = checkpoints_.upper_bound(seq_); it != checkpoints_.begin())
    sealed = std::prev(it)->first;
  report_.unsealed_records = seq_ - sealed;
}

void ChainCheck::problem(std::string kind, std::int64_t seq, std::optional<std::int64_t> id,
                         std::string detail) {
  if (!report_.problem)
    report_.problem = ChainProblem{std::move(kind), seq, id, std::move(detail)};
}

}  // namespace lienthong::audit

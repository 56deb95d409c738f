#include "timestamp_check.hpp"

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"

namespace lienthong::audit {

void check_timestamps(pqxx::transaction_base& tx, ChainCheck& check, const TsaTrust& trust) {
  std::map<std::int64_t, const Checkpoint*> by_id;
  for (const auto& [seq, checkpoint] : check.checkpoints())
    by_id.emplace(checkpoint.id, &checkpoint);
  const std::string& node = check.report().node;
  for (const auto& row : tx.exec_params(
           "SELECT t.checkpoint_id, t.digest, encode(t.token, 'hex') FROM audit_timestamps t JOIN "
           "audit_checkpoints c ON c.id = t.checkpoint_id WHERE c.node = $1 ORDER BY c.seq",
           node)) {
    const auto found = by_id.find(row[0].as<std::int64_t>());
    if (found == by_id.end())
      continue;  // a checkpoint outside what was loaded
    const Checkpoint& c = *found->second;
    const std::string text =
        timestamped_checkpoint_text(node, c.seq, c.record_hash, c.signed_at_micros, c.signature);
    const std::string digest = sha256_hex(text);
    const auto fail = [&](const std::string& why) {
      check.problem("timestamp", c.seq, std::nullopt,
                    "the trusted timestamp of checkpoint " + std::to_string(c.id) + " (seq " +
                        std::to_string(c.seq) + ") " + why);
    };
    if (row[1].as<std::string>() != digest) {
      fail("was taken over another text than the checkpoint's (its digest differs)");
      return;
    }
    const auto token =
        verify_timestamp_token(from_hex(row[2].as<std::string>()).value_or(std::string()),
                               from_hex(digest).value(), trust);
    if (!token.has_value()) {
      fail("does not verify against the pinned authority: " + token.error().detail);
      return;
    }
    ++check.report().timestamps_checked;
  }
}

}  // namespace lienthong::audit

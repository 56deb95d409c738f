#include "timestamp_check.hpp"

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"

namespace lienthong::audit {

void check_timestamps(pqxx::transaction_base& tx, ChainCheck& check, const TsaTrust& trust) {
  std::map<std::int64_t, const Checkpoint*> by_id;
  for (const auto& [seq, checkpoint] : check.checkpoints())
    by_id.emplace(checkpoint.id, &checkpoint);
  const std::string& node = check.report().node;
  const auto text_of = [&](const Checkpoint& c) {
    return timestamped_checkpoint_text(node, c.seq, c.record_hash, c.signed_at_micros, c.signature,
                                       c.sealed);
  };
  for (const auto& row : tx.exec_params(
           "SELECT t.checkpoint_id, t.digest, encode(t.token, 'hex'), t.batch FROM "
           "audit_timestamps t JOIN audit_checkpoints c ON c.id = t.checkpoint_id WHERE c.node = "
           "$1 ORDER BY c.seq",
           node)) {
    const auto found = by_id.find(row[0].as<std::int64_t>());
    if (found == by_id.end())
      continue;  // a checkpoint outside what was loaded
    const Checkpoint& c = *found->second;
    const auto fail = [&](const std::string& why) {
      check.problem("timestamp", c.seq, std::nullopt,
                    "the trusted timestamp of checkpoint " + std::to_string(c.id) + " (seq " +
                        std::to_string(c.seq) + ") " + why);
    };
    // The first tokens cover one checkpoint's text; later ones a batch of
    // the chain's checkpoints, each of which must be the one stored.
    std::string covered;
    if (row[3].is_null()) {
      covered = text_of(c);
    } else {
      covered = row[3].as<std::string>();
      const auto entries = parse_timestamp_batch(node, covered);
      if (!entries || entries->back().seq != c.seq) {
        fail("covers a batch that is not one of this chain's, ending at this checkpoint");
        return;
      }
      for (const auto& entry : *entries) {
        const auto listed = check.checkpoints().find(entry.seq);
        if (listed == check.checkpoints().end())
          continue;  // outside what was loaded (archived, or before the range)
        if (sha256_hex(text_of(listed->second)) != entry.digest) {
          fail("lists checkpoint seq " + std::to_string(entry.seq) +
               " with another digest than its text's: the checkpoint was altered");
          return;
        }
      }
    }
    const std::string digest = sha256_hex(covered);
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

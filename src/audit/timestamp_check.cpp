#include "timestamp_check.hpp"

#include <limits>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"

namespace lienthong::audit {

bool check_timestamp(ChainCheck& check, const TsaTrust& trust, const KeptTimestamp& kept) {
  const auto found = check.checkpoints().find(kept.checkpoint_seq);
  if (found == check.checkpoints().end())
    return true;  // a checkpoint outside what was loaded
  const Checkpoint& c = found->second;
  const std::string& node = check.report().node;
  const auto text_of = [&](const Checkpoint& checkpoint) {
    return timestamped_checkpoint_text(node, checkpoint.seq, checkpoint.record_hash,
                                       checkpoint.signed_at_micros, checkpoint.signature,
                                       checkpoint.sealed);
  };
  const auto fail = [&](const std::string& why) {
    check.problem("timestamp", c.seq, std::nullopt,
                  "the trusted timestamp of checkpoint " + std::to_string(c.id) + " (seq " +
                      std::to_string(c.seq) + ") " + why);
    return false;
  };
  // The first tokens cover one checkpoint's text; later ones a batch of
  // the chain's checkpoints, each of which must be the one stored.
  std::string covered;
  if (!kept.batch) {
    covered = text_of(c);
  } else {
    covered = *kept.batch;
    const auto entries = parse_timestamp_batch(node, covered);
    if (!entries || entries->back().seq != c.seq)
      return fail("covers a batch that is not one of this chain's, ending at this checkpoint");
    for (const auto& entry : *entries) {
      const auto listed = check.checkpoints().find(entry.seq);
      if (listed == check.checkpoints().end())
        continue;  // outside what was loaded (archived, or before the range)
      if (sha256_hex(text_of(listed->second)) != entry.digest)
        return fail("lists checkpoint seq " + std::to_string(entry.seq) +
                    " with another digest than its text's: the checkpoint was altered");
    }
  }
  const std::string digest = sha256_hex(covered);
  if (kept.digest != digest)
    return fail("was taken over another text than the checkpoint's (its digest differs)");
  const auto token = verify_timestamp_token(kept.token_der, from_hex(digest).value(), trust);
  if (!token.has_value())
    return fail("does not verify against the pinned authority: " + token.error().detail);
  ++check.report().timestamps_checked;
  return true;
}

std::vector<KeptTimestamp> load_timestamps(pqxx::transaction_base& tx, const std::string& node,
                                           std::int64_t from, std::int64_t to) {
  std::vector<KeptTimestamp> kept;
  for (const auto& row : tx.exec_params(
           "SELECT c.seq, t.digest, encode(t.token, 'hex'), t.batch FROM audit_timestamps t JOIN "
           "audit_checkpoints c ON c.id = t.checkpoint_id WHERE c.node = $1 AND c.seq >= $2 AND "
           "c.seq <= $3 ORDER BY c.seq",
           node, from, to)) {
    KeptTimestamp t{row[0].as<std::int64_t>(), row[1].as<std::string>(),
                    from_hex(row[2].as<std::string>()).value_or(std::string()), std::nullopt};
    if (!row[3].is_null())
      t.batch = row[3].as<std::string>();
    kept.push_back(std::move(t));
  }
  return kept;
}

void check_timestamps(pqxx::transaction_base& tx, ChainCheck& check, const TsaTrust& trust) {
  for (const auto& kept :
       load_timestamps(tx, check.report().node, 0, std::numeric_limits<std::int64_t>::max())) {
    if (!check_timestamp(check, trust, kept))
      return;
  }
}

}  // namespace lienthong::audit

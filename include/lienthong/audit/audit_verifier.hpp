#pragma once
// Recomputes the audit hash chains and checks the signed checkpoints: the
// evidence that the exchange log is complete and unaltered. Used by
// `lienthong audit verify` and GET /audit/v1/verify.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/audit/trusted_timestamp.hpp"

namespace pqxx {
class transaction_base;
}

namespace lienthong::audit {

// A chain's end as an earlier verification saw it: kept outside the
// database (`audit verify --save-heads`), it lets a later verification tell
// a chain that was shortened or rewritten, checkpoints and all, from one that
// was never longer.
struct VerifiedHead {
  std::string node;
  std::int64_t seq = 0;
  std::string record_hash;  // the link of record `seq`
};

struct VerifyOptions {
  // Records received in [from, to]; each chain is checked from the last
  // checkpoint before the range to the first one after it. Whole chains when absent.
  std::optional<TimePoint> from;
  std::optional<TimePoint> to;
  std::optional<std::string> node;  // one chain only
  // When not empty, checkpoints count only if signed by one of these key ids
  // (kept by the auditor out of band); otherwise any registered key of the node.
  std::vector<std::string> trusted_key_ids;
  // Each must still be in the chain it names, with the same link: the chain
  // is "truncated" when it ends before it (or is gone) and "altered" when its
  // record there differs. Checked on whole chains (no from/to).
  std::vector<VerifiedHead> expected_heads;
  // Heads published outside the database as they were signed (a witness
  // directory, audit_witness.hpp), held the same way: every one the
  // database still holds must be in its chain with the same link, and no
  // chain may end before its highest. Heads in records archived since are
  // counted, not checked (their archive file is verified offline).
  std::vector<VerifiedHead> witnessed_heads;
  // A writer seals its chain every few seconds while records arrive and
  // when it idles or stops, so records left without a checkpoint for
  // longer than this mean checkpoints were removed, or a node died and was
  // never started again (starting it seals them). Checked when the range
  // reaches the chain's end; nullopt: not checked.
  std::optional<std::chrono::seconds> unsealed_limit = std::chrono::hours(24);
  // The time the limit is measured from (the verifier's clock when absent).
  std::optional<TimePoint> now;
  // When set, every trusted timestamp kept for a checkpoint of a chain is
  // checked against this authority (trusted_timestamp.hpp).
  std::shared_ptr<const TsaTrust> timestamp_trust;
};

// The first thing found wrong in a chain.
struct ChainProblem {
  // "missing" (a gap in seq, or a chain whose node registered a signing key
  // but which has no record or checkpoint left, not even its genesis),
  // "altered" (a record does not hash to its link, or differs from an
  // expected or witnessed head), "checkpoint" (a checkpoint disagrees with
  // the chain or its signature fails), "truncated" (a checkpoint or an
  // expected or witnessed head reaches records that are gone), "unsealed"
  // (records older than unsealed_limit without a checkpoint), "unverified"
  // (an expected head lies in records archived since: check the archive
  // file), "timestamp" (a checkpoint's trusted timestamp does not verify
  // against the pinned authority, or is over another text).
  std::string kind;
  std::int64_t seq = 0;                   // where, in the node's numbering
  std::optional<std::int64_t> record_id;  // audit_records.id when a row is involved
  std::string detail;
};

struct ChainReport {
  std::string node;
  std::int64_t from_seq = 0;  // first seq checked
  std::int64_t to_seq = 0;    // last seq checked
  std::string to_hash;        // its link (empty when no record was checked)
  std::int64_t records_checked = 0;
  std::int64_t checkpoints_checked = 0;
  std::int64_t unsealed_records = 0;  // after the last checkpoint: not yet provable
  // Records 1..archived_to_seq were archived to files (`lienthong audit
  // archive`) and are verified there, offline.
  std::int64_t archived_to_seq = 0;
  // Witnessed heads the chain was held to, and those lying in archived records.
  std::int64_t witnessed_checked = 0;
  std::int64_t witnessed_archived = 0;
  std::int64_t timestamps_checked = 0;  // checkpoints' trusted timestamps that verified
  std::optional<ChainProblem> problem;
};

struct VerifyReport {
  std::vector<ChainReport> chains;
  std::int64_t unchained_records = 0;  // written before the chain existed (seq NULL)
  bool ok() const;
};

VerifyReport verify_audit_log(pqxx::transaction_base& tx, const VerifyOptions& options);

// {"ok", "unchained_records", "chains": [{"node", "from_seq", "to_seq", "to_hash",
//   "records_checked", "checkpoints_checked", "unsealed_records", "archived_to_seq",
//   "witnessed_checked", "witnessed_archived", "timestamps_checked",
//   "problem": {"kind", "seq", "record_id", "detail"}}]}
nlohmann::json report_json(const VerifyReport& report);

// The end of every chain that verified, for `expected_heads` next time.
std::vector<VerifiedHead> verified_heads(const VerifyReport& report);

}  // namespace lienthong::audit

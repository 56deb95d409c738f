#pragma once
// Private to src/audit/: the verifier's check of a chain's trusted
// timestamps (issue 24). Every token kept for one of the chain's
// checkpoints must be the pinned authority's, over exactly that
// checkpoint's signed text and signature, or over a batch whose every line
// is the digest of the stored checkpoint it names; the first that is not
// is the chain's problem ("timestamp"), with the checkpoint's seq.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "lienthong/audit/trusted_timestamp.hpp"

#include "chain_check.hpp"

namespace lienthong::audit {

// A token as kept, for one of a chain's checkpoints: in audit_timestamps,
// or on a {"type":"timestamp"} line of an archive file.
struct KeptTimestamp {
  std::int64_t checkpoint_seq = 0;
  std::string digest;                // SHA-256 (hex) of what was stamped
  std::string token_der;             // the TimeStampToken
  std::optional<std::string> batch;  // the batch stamped; none: the checkpoint's own text
};

// Checks one kept token against the checkpoints `check` holds; false, with
// the chain's problem set, when it fails. A checkpoint `check` does not hold
// is not checked (true).
bool check_timestamp(ChainCheck& check, const TsaTrust& trust, const KeptTimestamp& kept);

// Every token the database keeps for the chain's loaded checkpoints.
void check_timestamps(pqxx::transaction_base& tx, ChainCheck& check, const TsaTrust& trust);

// The tokens kept for a chain's checkpoints with seq in [from, to], as kept.
std::vector<KeptTimestamp> load_timestamps(pqxx::transaction_base& tx, const std::string& node,
                                           std::int64_t from, std::int64_t to);

}  // namespace lienthong::audit

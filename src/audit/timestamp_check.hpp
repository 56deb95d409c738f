#pragma once
// Private to src/audit/: the verifier's check of a chain's trusted
// timestamps (issue 24). Every token kept for one of the chain's
// checkpoints must be the pinned authority's, over exactly that
// checkpoint's signed text and signature, or over a batch whose every line
// is the digest of the stored checkpoint it names; the first that is not
// is the chain's problem ("timestamp"), with the checkpoint's seq.

#include <pqxx/pqxx>

#include "lienthong/audit/trusted_timestamp.hpp"

#include "chain_check.hpp"

namespace lienthong::audit {

void check_timestamps(pqxx::transaction_base& tx, ChainCheck& check, const TsaTrust& trust);

}  // namespace lienthong::audit

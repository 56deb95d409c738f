#pragma once
// The document of verified heads an auditor keeps outside the database
// ("lienthong-audit-heads/1"): written by `audit verify --save-heads` and
// by the console (in the auditor's browser), read back by `--expect` and by
// POST /audit/v1/verify.

#include <stdexcept>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/audit/audit_verifier.hpp"

namespace lienthong::audit {

// Throws std::invalid_argument saying what is wrong: not the format, a head
// without node, seq (≥ 1) and record_hash (64 lowercase hex digits), or two
// heads of one chain.
std::vector<VerifiedHead> heads_from_document(const nlohmann::json& document);

// {"format", "saved_at", "heads": [{"node", "seq", "record_hash"}]}
nlohmann::json heads_document(const std::vector<VerifiedHead>& heads, TimePoint saved_at);

}  // namespace lienthong::audit

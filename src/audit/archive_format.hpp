#pragma once
// The audit archive file's lines (see lienthong/audit/audit_archive.hpp for
// the layout): written by the archiver, read back by the offline verifier.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "lienthong/audit/audit_record.hpp"

#include "chain_check.hpp"
#include "timestamp_check.hpp"

namespace lienthong::audit::archive_format {

inline constexpr std::string_view kFormat = "lienthong-audit-archive-v1";

// Thrown for anything that makes a file unreadable as an archive, or an
// archive impossible to make.
[[noreturn]] inline void refuse(const std::string& why) {
  throw std::runtime_error(why);
}

nlohmann::json record_line(std::int64_t id, const std::optional<std::int64_t>& seq,
                           const std::string& record_hash, TimePoint committed_at,
                           const AuditRecord& record);
AuditRecord record_from_line(const nlohmann::json& line);
// Kept bodies hash to their recorded SHA-256.
bool bodies_match(const AuditRecord& record);

nlohmann::json checkpoint_line(const std::string& node, const Checkpoint& checkpoint);
Checkpoint checkpoint_from_line(const nlohmann::json& line);

// A trusted timestamp of one of the file's checkpoints, as the database
// keeps it: {"type":"timestamp", "node", "checkpoint_seq", "digest",
// "batch" (null for a token over the checkpoint's own text), "token_base64"}.
nlohmann::json timestamp_line(const std::string& node, const KeptTimestamp& timestamp);
KeptTimestamp timestamp_from_line(const nlohmann::json& line);

// One node's stretch of the chain in a month, as the header announces it.
struct Stretch {
  std::string node;
  std::int64_t first_seq = 0;
  std::int64_t last_seq = 0;
  std::int64_t records = 0;
  std::string previous_hash;
  std::string last_hash;
};
nlohmann::json stretch_json(const Stretch& stretch);
Stretch stretch_from_json(const nlohmann::json& chain);

// Starts a node's check after the record before its first: the previous
// hash comes from the header, and when the checkpoint on that record is at
// hand it must agree and be signed.
void anchor(ChainCheck& check, const Stretch& stretch);
// Closes a node's check: the records must run exactly to the announced end.
ChainReport conclude(ChainCheck& check, const Stretch& stretch);

}  // namespace lienthong::audit::archive_format

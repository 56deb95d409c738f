#pragma once
// Retention of the audit log: a month moves out of PostgreSQL into one
// NDJSON file that proves itself without the database, then the month's
// partition is dropped.
//
// The file holds, in order: a header line ({"type":"archive", "month",
// "chains": [{"node", "first_seq", "last_seq", "records", "previous_hash",
// "last_hash"}], "unchained_records"}); the public keys that signed its
// checkpoints ({"type":"key"}); each node's checkpoints from the one
// anchoring the month's first record to the one sealing its last
// ({"type":"checkpoint"}); then every record ({"type":"record"}), by node
// and seq, with its id, seq, link and kept bodies (base64).
//
// A month's records continue the chain from the previous month's
// last_hash: compare it with that month's file, or with the anchoring
// checkpoint, which is signed.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lienthong/audit/audit_verifier.hpp"

namespace lienthong::audit {

struct ArchiveOptions {
  std::string database_url;
  std::chrono::year_month month;
  std::filesystem::path directory;  // the file is DIRECTORY/audit-YYYY-MM.ndjson
  // As VerifyOptions::trusted_key_ids, for the check made before archiving.
  std::vector<std::string> trusted_key_ids;
};

struct ArchiveResult {
  std::filesystem::path file;
  std::string file_sha256;
  std::int64_t records = 0;
  VerifyReport verified;  // the file, read back and verified before the drop
};

// Archives one month and drops its partition, all or nothing. Throws
// std::runtime_error saying why when it will not: the month is not over,
// an older month is still in the database, a chain does not verify, a
// node's last record of the month is not sealed by a checkpoint yet, the
// file exists.
ArchiveResult archive_month(const ArchiveOptions& options);

// Verifies an archive file on its own: every chain link, every checkpoint
// signature (against the keys in the file, or only `trusted_key_ids` when
// given), and that the records are exactly those the header announces.
// Each of `witnessed_heads` (a witness directory's, audit_witness.hpp) that
// falls in a chain's stretch in the file must be its record there, with the
// same link: the database verifier only counts those. Throws
// std::runtime_error when the file cannot be read as an archive.
VerifyReport verify_archive_file(const std::filesystem::path& file,
                                 const std::vector<std::string>& trusted_key_ids,
                                 const std::vector<VerifiedHead>& witnessed_heads = {});

}  // namespace lienthong::audit

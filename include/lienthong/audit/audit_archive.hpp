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
// ({"type":"checkpoint"}); the tokens dating those checkpoints
// ({"type":"timestamp"}); then every record ({"type":"record"}), by node and
// seq, with its id, seq, link and kept bodies (base64; sealed, with their
// data key, where the hub seals them). With trusted timestamps configured,
// the file itself is sealed by the authority: FILE.tsr, a token over its
// SHA-256.
//
// A month's records continue the chain from the previous month's
// last_hash: compare it with that month's file, or with the anchoring
// checkpoint, which is signed.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lienthong/audit/audit_verifier.hpp"
#include "lienthong/audit/trusted_timestamp.hpp"

namespace lienthong::audit {

struct ArchiveOptions {
  std::string database_url;
  std::chrono::year_month month;
  std::filesystem::path directory;  // the file is DIRECTORY/audit-YYYY-MM.ndjson
  // As VerifyOptions::trusted_key_ids, for the check made before archiving.
  std::vector<std::string> trusted_key_ids;
  // When set, the timestamp tokens the file carries are checked against it
  // when it is read back.
  std::shared_ptr<const TsaTrust> timestamp_trust;
  // When set (trusted timestamps are configured), the file's seal: an RFC
  // 3161 token over its SHA-256 (hex), obtained before the month is dropped;
  // it throws when none can be had, and nothing is dropped.
  std::function<std::string(const std::string& file_sha256)> seal_file;
};

struct ArchiveResult {
  std::filesystem::path file;
  std::string file_sha256;
  std::int64_t records = 0;
  VerifyReport verified;            // the file, read back and verified before the drop
  std::string seal_token;           // DER, when options.seal_file was set
  std::filesystem::path seal_file;  // FILE.tsr, where the token was written
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
// With `timestamp_trust`, every timestamp line is checked against it (a
// token that fails is its chain's problem, kind "timestamp").
VerifyReport verify_archive_file(const std::filesystem::path& file,
                                 const std::vector<std::string>& trusted_key_ids,
                                 const std::vector<VerifiedHead>& witnessed_heads = {},
                                 std::shared_ptr<const TsaTrust> timestamp_trust = nullptr);

// The seal of an archive file (FILE.tsr beside it): the authority's token
// over the file's SHA-256, checked against `trust`. The token's time, or
// Client.Conflict saying why it does not hold.
Result<TimestampToken> verify_archive_seal(const std::filesystem::path& file,
                                           const std::filesystem::path& seal,
                                           const TsaTrust& trust);

}  // namespace lienthong::audit

#pragma once
// Witnesses: the signed checkpoints, published outside the database.
//
// Everything the verifier finds in PostgreSQL can be rewritten by whoever
// holds the database: a tail deleted together with the checkpoints that
// sealed it leaves a shorter chain that verifies. With `audit.witness_dir`
// set, each node's audit writer also appends every checkpoint it signs to
// its own file in that directory (an append-only JSON-lines file, flushed
// to disk before the writer goes on), which the operator places on another
// volume or host. Verification holds the database to every head found
// there (`lienthong audit verify --witness DIR`, and GET /audit/v1/verify on
// a node whose configuration names the directory).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_record.hpp"
#include "lienthong/audit/audit_verifier.hpp"

namespace pqxx {
class transaction_base;
}

namespace lienthong::audit {

// One signed checkpoint as published: the chain, where it stood, and the
// signature over checkpoint_message() (audit_chain.hpp), so the line can be
// checked against the node's public key without the database.
struct WitnessedCheckpoint {
  std::string chain;
  std::int64_t seq = 0;
  std::string record_hash;
  std::int64_t signed_at_micros = 0;
  std::string key_id;
  std::string signature;  // base64 Ed25519
  SealedRecords sealed;   // from_seq and records_root of a v2 checkpoint
};

// One node's files in the witness directory: "<node>.witness.jsonl" for its
// own chain and "<node>+admin-changes.witness.jsonl" for the admin-change
// checkpoints its key signed (bytes of the node's name outside
// [A-Za-z0-9._-] written as %XX, so no two names share a file). A file's
// first line names the format, the node and the chain; each further line is
// one checkpoint, in the order signed. One file per chain keeps each chain's
// last line at its file's end, where a restarted writer reads it.
class WitnessLog {
 public:
  WitnessLog(std::filesystem::path directory, std::string node);

  std::filesystem::path path(std::string_view chain) const;

  // The highest seq published for `chain` (-1 when none): read from its
  // file's end the first time, then kept up to date by append().
  std::int64_t last_seq(std::string_view chain);

  // Appends to each chain's file and fsyncs it. Throws std::runtime_error
  // (naming the file and the system's reason) when it cannot; what reached
  // a file before counts as published.
  void append(const std::vector<WitnessedCheckpoint>& checkpoints);

 private:
  std::int64_t read_last_seq(const std::filesystem::path& file, std::string_view chain) const;
  void append_to(std::string_view chain, const std::vector<const WitnessedCheckpoint*>& lines);

  std::filesystem::path directory_;
  std::string node_;
  std::map<std::string, std::int64_t, std::less<>> last_seq_;  // by chain, once read
};

// Every head in a witness directory, for VerifyOptions::witnessed_heads.
struct WitnessReading {
  std::vector<VerifiedHead> heads;
  std::size_t files = 0;
  // Lines that are not a witnessed checkpoint: a line cut short when a
  // node died mid-write is expected, anything more is worth a look.
  std::size_t unreadable_lines = 0;
  // Checkpoints signed at or after `signed_before`, left out.
  std::size_t too_recent = 0;
};

// Throws std::runtime_error when the directory cannot be read. Read it
// after the verifying transaction began (a checkpoint is published only
// once committed, so every head read is then in the database), leaving out
// what a standby may not have replayed yet (standby_horizon()).
WitnessReading read_witnesses(const std::filesystem::path& directory,
                              std::optional<TimePoint> signed_before = std::nullopt);

// Nothing on a primary. On a standby (an auditor's read replica), a minute
// before the commit time of the last transaction it replayed: checkpoints
// signed later may still be on their way, and would look removed.
std::optional<TimePoint> standby_horizon(pqxx::transaction_base& tx);

}  // namespace lienthong::audit

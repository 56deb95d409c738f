#pragma once
// The file `lienthong audit verify --save-heads` writes and `--expect`
// reads: each chain's verified head, kept by the auditor outside the
// database (another volume, another host, a printout), so that a chain cut
// short together with its checkpoints, or deleted whole, no longer verifies.

#include <string>
#include <vector>

#include "lienthong/audit/audit_verifier.hpp"

namespace lienthong::cli {

// Throws ConfigError naming the file and what is wrong with it.
std::vector<audit::VerifiedHead> read_heads_file(const std::string& path);

// Written aside and renamed: a reader sees the old file or the new one.
void write_heads_file(const std::string& path, const std::vector<audit::VerifiedHead>& heads);

}  // namespace lienthong::cli

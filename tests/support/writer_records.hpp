#pragma once
// Commits records through a real audit writer, one at a time, as tests that
// write a chain of their own need (past months, another node, other keys):
// the writer stops when this returns, which seals its chain.

#include <vector>

#include "lienthong/audit/audit_writer.hpp"

namespace lienthong::testing {

// How many of `records` committed.
int commit_records(const audit::WriterOptions& options, std::vector<audit::AuditRecord> records);

}  // namespace lienthong::testing

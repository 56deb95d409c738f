#pragma once
// The audit record of one delivery attempt (path "(async delivery)"),
// committed before the attempt's outcome counts. Private to src/delivery/.

#include <string_view>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/registry/snapshot.hpp"

#include "delivery_store.hpp"

namespace lienthong::delivery {

// Views of the caller's strings, which outlive the call.
struct AttemptResult {
  std::string_view node;
  int status = 0;
  std::string_view error_code;
  std::string_view response_body;
  registry::AuditBodies bodies = registry::AuditBodies::kHash;
};

// `record` (its ids, times and hop fields as the attempt filled them)
// completed with the message and how the attempt ended.
audit::AuditRecord attempt_record(const store::Claimed& message, const AttemptResult& result,
                                  audit::AuditRecord record);

}  // namespace lienthong::delivery

// Stage 8: what the audit record keeps of the bodies, as the service asks.
#include "lienthong/core/digest.hpp"
#include "lienthong/pipeline/stages.hpp"

namespace lienthong::pipeline {

void keep_bodies(audit::AuditRecord& record, registry::AuditBodies bodies,
                 std::string_view request_body, std::string_view response_body) {
  if (bodies == registry::AuditBodies::kNone)
    return;
  record.request_sha256 = sha256_hex(request_body);
  record.response_sha256 = sha256_hex(response_body);
  if (bodies == registry::AuditBodies::kFull) {
    record.request_body = std::string(request_body);
    record.response_body = std::string(response_body);
  }
}

}  // namespace lienthong::pipeline

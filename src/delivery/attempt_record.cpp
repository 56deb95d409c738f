#include "attempt_record.hpp"

#include "lienthong/core/identifiers.hpp"
#include "lienthong/pipeline/stages.hpp"

namespace lienthong::delivery {

audit::AuditRecord attempt_record(const store::Claimed& message, const AttemptResult& result,
                                  audit::AuditRecord record) {
  record.node = std::string(result.node);
  record.message_id = message.message_id;
  record.correlation_id = message.request_id;
  record.consumer = message.consumer;
  record.user_id = message.user_id;
  record.purpose = message.purpose;
  if (const auto id = ServiceId::parse(message.service)) {
    record.provider = id->provider.to_string();
    record.service = id->service_code;
    record.service_version = id->version;
  }
  record.method = "POST";
  record.path = "(async delivery)";
  record.status = result.status;
  record.error_code = std::string(result.error_code);
  record.request_bytes = static_cast<std::int64_t>(message.body.size());
  record.response_bytes = static_cast<std::int64_t>(result.response_body.size());
  pipeline::keep_bodies(record, result.bodies, message.body, result.response_body);
  record.responded_at = std::chrono::system_clock::now();
  return record;
}

}  // namespace lienthong::delivery

#include "lienthong/policy/answer_shaping.hpp"

#include <nlohmann/json.hpp>

#include "lienthong/policy/response_projection.hpp"
#include "lienthong/registry/snapshot.hpp"
#include "lienthong/schema/json_schema.hpp"

namespace lienthong::policy {
namespace {
constexpr std::size_t kReportedViolations = 10;
}  // namespace

Result<nlohmann::json> shape_answer(const registry::ServiceEntry& service,
                                    const registry::AgreementEntry& agreement,
                                    const nlohmann::json& body) {
  if (service.response_schema) {
    // Where it fails (pointers into the answer, reasons naming the schema's
    // constraints, never the answer's values), so the provider's team can
    // find it from the consumer's report or the audit log.
    const auto violations = service.response_schema->validate(body, kReportedViolations);
    if (!violations.empty()) {
      Error error = make_error(ErrorCode::kProviderSchemaViolation,
                               "the provider's answer does not match the registered response "
                               "schema; see errors (pointers into the answer)");
      for (const auto& violation : violations)
        error.fields.push_back({violation.pointer, violation.reason});
      return error;
    }
  }
  return project_response(body, agreement.response_fields);
}

}  // namespace lienthong::policy

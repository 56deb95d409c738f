#include "lienthong/policy/answer_shaping.hpp"

#include <nlohmann/json.hpp>

#include "lienthong/policy/response_projection.hpp"
#include "lienthong/registry/snapshot.hpp"
#include "lienthong/schema/json_schema.hpp"

namespace lienthong::policy {

Result<nlohmann::json> shape_answer(const registry::ServiceEntry& service,
                                    const registry::AgreementEntry& agreement,
                                    const nlohmann::json& body) {
  if (service.response_schema && !service.response_schema->validate(body, 1).empty()) {
    return make_error(ErrorCode::kProviderSchemaViolation,
                      "the provider's answer does not match the registered response schema");
  }
  return project_response(body, agreement.response_fields);
}

}  // namespace lienthong::policy

// Stages 6 and 7: what of a provider's answer may reach the caller.
#include "lienthong/core/json_text.hpp"
#include "lienthong/pipeline/stages.hpp"
#include "lienthong/policy/answer_shaping.hpp"

namespace lienthong::pipeline {

Result<nlohmann::json> check_answer(const net::HttpResponse& reply, int max_json_depth) {
  if (reply.status >= 500) {
    return make_error(ErrorCode::kProviderError,
                      "the provider answered HTTP " + std::to_string(reply.status));
  }
  return parse_json_text(reply.body, max_json_depth, ErrorCode::kProviderBadResponse,
                         "the provider's answer");
}

Result<nlohmann::json> shape_answer(int status, const registry::ServiceEntry& service,
                                    const registry::AgreementEntry& agreement,
                                    nlohmann::json body) {
  if (status >= 300)
    return body;
  return policy::shape_answer(service, agreement, body);
}

}  // namespace lienthong::pipeline

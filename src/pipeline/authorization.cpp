// Stage 3: may this caller make this call now.
#include "lienthong/core/json_parse.hpp"
#include "lienthong/core/utf8.hpp"
#include "lienthong/pipeline/stages.hpp"
#include "lienthong/schema/json_schema.hpp"

namespace lienthong::pipeline {
namespace {

// The body against the service's request schema. Text is parsed here, once,
// with its depth bounded: validation recurses.
std::vector<schema::SchemaViolation> validate_request(const schema::JsonSchema& schema,
                                                      const CallRequest& request,
                                                      int max_json_depth) {
  if (request.parsed_body != nullptr)
    return schema.validate(*request.parsed_body);
  if (request.json_text.empty())
    return {{"", "the body is not JSON"}};
  auto reading = parse_json(request.json_text, max_json_depth);
  if (reading.too_deep)
    return {{"", "the body nests deeper than " + std::to_string(max_json_depth) + " levels"}};
  if (!reading.document.has_value())
    return {{"", "the body is not JSON"}};
  // The provider gets this text as it came, and the tree checked here holds
  // a repeated name's last value: a parser that keeps the first would read
  // a value nobody checked.
  if (reading.repeated_name) {
    // The name is the caller's: at most 64 bytes of it go into the answer.
    const std::string_view name = utf8_prefix(*reading.repeated_name, 64);
    return {{"", "repeats the member name \"" + std::string(name) +
                     (name.size() < reading.repeated_name->size() ? "…" : "") +
                     "\" in one object; parsers disagree on which value counts"}};
  }
  return schema.validate(*reading.document);
}

}  // namespace

Result<Authorization> authorize(const registry::Snapshot& snapshot, const CallRequest& request,
                                int max_json_depth) {
  const registry::ServiceEntry& service = *request.service;
  if (service.max_body_bytes && request.body_bytes > *service.max_body_bytes) {
    return make_error(
        ErrorCode::kClientPayloadTooLarge,
        "this service accepts at most " + std::to_string(*service.max_body_bytes) + " bytes");
  }
  auto agreement = policy::find_agreement(snapshot, *request.caller, service, request.version,
                                          request.at, request.operation);
  if (!agreement.has_value())
    return std::move(agreement).error();
  Authorization authorization{agreement.value(), std::string(request.purpose)};
  if (service.require_purpose && request.purpose.empty()) {
    if (request.may_use_agreement_purpose && !agreement.value()->purpose.empty()) {
      authorization.purpose = "agreement: " + agreement.value()->purpose;
    } else {
      return make_error(ErrorCode::kClientPurposeRequired,
                        "state why the data is needed in " + std::string(request.purpose_field));
    }
  }
  if (service.request_schema) {
    auto violations = validate_request(*service.request_schema, request, max_json_depth);
    if (!violations.empty()) {
      Error error =
          make_error(ErrorCode::kClientSchemaViolation,
                     std::to_string(violations.size()) + " problem(s) with the body; see errors");
      for (const auto& violation : violations)
        error.fields.push_back(
            {std::string(request.body_pointer) + violation.pointer, violation.reason});
      return error;
    }
  }
  return authorization;
}

}  // namespace lienthong::pipeline

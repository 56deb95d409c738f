#include "service_openapi.hpp"

#include <nlohmann/json.hpp>

#include "lienthong/core/json_text.hpp"
#include "lienthong/schema/json_schema.hpp"

namespace lienthong::exchange {
namespace {

using nlohmann::json;

// Registered schemas are standalone documents: their local references
// ("#/definitions/x") point into themselves. Placed under
// #/components/schemas/NAME they must point there instead. Schemas are small
// and the walk is bounded, so recursion is safe here.
void rebase_references(json& node, const std::string& base, int depth = 0) {
  if (depth > 128)
    return;
  if (node.is_object()) {
    for (auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string() &&
          value.get_ref<const std::string&>().starts_with("#"))
        value = base + value.get_ref<const std::string&>().substr(1);
      else
        rebase_references(value, base, depth + 1);
    }
  } else if (node.is_array()) {
    for (auto& item : node)
      rebase_references(item, base, depth + 1);
  }
}

json component(const std::shared_ptr<const schema::JsonSchema>& schema, const std::string& name) {
  if (!schema)
    return json{{"description", "no schema is registered: any JSON"}};
  json copy = schema->document();
  // Its "$id" would make the rebased references resolve against the
  // registered schema's URI instead of this document (Ajv cannot resolve
  // them then): as a component it is part of this document.
  if (copy.is_object()) {
    copy.erase("$id");
    copy.erase("$schema");
  }
  rebase_references(copy, "#/components/schemas/" + name);
  return copy;
}

json ref(const std::string& name) {
  return json{{"$ref", "#/components/schemas/" + name}};
}

json json_content(const std::string& schema_name) {
  return json{{"application/json", {{"schema", ref(schema_name)}}}};
}

json problem_responses(bool xroad) {
  const std::string type = xroad ? "application/json" : "application/problem+json";
  return json{{"default",
               {{"description", xroad ? "refused by the hub (X-Road-Error names the reason)"
                                      : "refused by the hub (RFC 9457 problem details)"},
                {"content", {{type, {{"schema", ref(xroad ? "XRoadError" : "Problem")}}}}}}}};
}

// POST /exchange/v1/messages with this service's envelope.
json envelope_operation(const registry::ServiceEntry& service) {
  json responses = problem_responses(false);
  responses["200"] = {{"description", "the provider's answer in a response envelope"},
                      {"content", json_content("ResponseEnvelope")}};
  return json{{"post",
               {{"operationId", "send"},
                {"summary", "Send a standard message to " + service.key},
                {"requestBody", {{"required", true}, {"content", json_content("RequestEnvelope")}}},
                {"responses", std::move(responses)}}}};
}

// The X-Road REST path of the service: /r1/PROVIDER/SERVICE/{path}.
json xroad_path_item(const registry::ServiceEntry& service,
                     const registry::AgreementEntry* agreement) {
  std::vector<std::string> methods{"GET", "POST", "PUT", "PATCH", "DELETE"};
  if (agreement && !agreement->allowed_methods.empty())
    methods = agreement->allowed_methods;
  std::string patterns = "any path";
  if (agreement && !agreement->path_patterns.empty()) {
    patterns.clear();
    for (const auto& pattern : agreement->path_patterns)
      patterns += (patterns.empty() ? "" : ", ") + pattern;
  }
  json item{{"parameters",
             {{{"name", "path"},
               {"in", "path"},
               {"required", true},
               {"description", "the provider's own path (may be empty); allowed: " + patterns},
               {"schema", {{"type", "string"}}}},
              {{"name", "X-Road-Client"},
               {"in", "header"},
               {"required", true},
               {"description", "the calling system, INSTANCE/CLASS/MEMBER/SYSTEM"},
               {"schema", {{"type", "string"}}}},
              {{"name", "X-Lienthong-Service-Version"},
               {"in", "header"},
               {"required", false},
               {"description", "needed only while several versions are active"},
               {"schema", {{"type", "string"}, {"const", service.service_id.version}}}}}}};
  for (const auto& method : methods) {
    std::string lower;
    for (const char c : method)
      lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    json responses = problem_responses(true);
    responses["200"] = {{"description", "the provider's answer"},
                        {"content", json_content("Response")}};
    json operation{{"operationId", "rest" + method},
                   {"summary", method + " through the X-Road REST (r1) interface"},
                   {"responses", std::move(responses)}};
    if (method == "POST" || method == "PUT" || method == "PATCH")
      operation["requestBody"] = {{"content", json_content("Request")}};
    item[lower] = std::move(operation);
  }
  return item;
}

json envelope_schemas(const registry::ServiceEntry& service) {
  const json header_common{{"from", {{"type", "string"}}},
                           {"to", {{"const", service.provider->key}}},
                           {"service", {{"const", service.service_id.service_code}}},
                           {"version", {{"const", service.service_id.version}}}};
  json request_header = {{"type", "object"},
                         {"required", {"id", "from", "to", "service", "version"}},
                         {"properties", header_common}};
  request_header["properties"]["id"] = {{"type", "string"},
                                        {"description", "message id, unique per sender"}};
  request_header["properties"]["userId"] = {{"type", "string"}};
  request_header["properties"]["purpose"] = {{"type", "string"}};
  if (service.require_purpose)
    request_header["required"].push_back("purpose");
  json response_header = {{"type", "object"}, {"properties", header_common}};
  response_header["properties"]["correlationId"] = {{"type", "string"}};
  response_header["properties"]["status"] = {{"type", "integer"}};
  return json{{"RequestEnvelope",
               {{"type", "object"},
                {"required", {"header", "body"}},
                {"properties", {{"header", request_header}, {"body", ref("Request")}}}}},
              {"ResponseEnvelope",
               {{"type", "object"},
                {"properties", {{"header", response_header}, {"body", ref("Response")}}}}}};
}

}  // namespace

std::string service_openapi_json(const registry::ServiceEntry& service,
                                 const registry::AgreementEntry* agreement) {
  const auto& provider = service.provider->system_id;
  const std::string xroad_path = "/r1/" + provider.instance + "/" + provider.member_class + "/" +
                                 provider.member_code + "/" + provider.system_code + "/" +
                                 service.service_id.service_code + "/{path}";
  json info{
      {"title", service.name.empty() ? service.key : service.name},
      {"version", service.service_id.version},
      {"description", "Service " + service.key + " through the Lienthong exchange hub." +
                          (service.require_purpose ? " Every call must state its purpose." : "")}};
  json components = envelope_schemas(service);
  components["Request"] = component(service.request_schema, "Request");
  components["Response"] = component(service.response_schema, "Response");
  components["Problem"] = {{"type", "object"},
                           {"properties",
                            {{"type", {{"type", "string"}}},
                             {"title", {{"type", "string"}}},
                             {"status", {{"type", "integer"}}},
                             {"detail", {{"type", "string"}}},
                             {"code", {{"type", "string"}}}}}};
  components["XRoadError"] = {{"type", "object"},
                              {"properties",
                               {{"type", {{"type", "string"}}},
                                {"message", {{"type", "string"}}},
                                {"detail", {{"type", "string"}}}}}};
  json document{{"openapi", "3.1.0"},
                {"info", std::move(info)},
                {"paths",
                 {{"/exchange/v1/messages", envelope_operation(service)},
                  {xroad_path, xroad_path_item(service, agreement)}}},
                {"components", {{"schemas", std::move(components)}}},
                {"x-lienthong-service", service.key}};
  if (agreement) {
    document["x-lienthong-agreement"] = {{"id", agreement->id},
                                         {"responseFields", agreement->response_fields}};
  }
  return to_json_text(document);
}

}  // namespace lienthong::exchange

#include "lienthong/exchange/envelope.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "lienthong/core/json_parse.hpp"
#include "lienthong/core/json_text.hpp"
#include "lienthong/core/message_id.hpp"
#include "lienthong/core/utf8.hpp"
#include "lienthong/schema/json_schema.hpp"

namespace lienthong::embedded {
std::vector<std::pair<std::string_view, std::string_view>> json_schemas();
}  // namespace lienthong::embedded

namespace lienthong::exchange {
namespace {

std::string optional_string(const nlohmann::json& header, const char* key) {
  const auto it = header.find(key);
  return it == header.end() ? std::string() : it->get<std::string>();
}

}  // namespace

std::string_view envelope_schema_text() {
  for (const auto& [name, text] : embedded::json_schemas()) {
    if (name == "envelope.schema.json")
      return text;
  }
  throw std::runtime_error("envelope.schema.json is not embedded in this build");
}

EnvelopeParser::EnvelopeParser(int max_json_depth) : max_json_depth_(max_json_depth) {
  auto compiled = schema::JsonSchema::compile(nlohmann::json::parse(envelope_schema_text()));
  if (!compiled.has_value()) {
    throw std::runtime_error("envelope schema: " + compiled.error().detail);
  }
  schema_ = std::move(compiled).value();
}

EnvelopeParser::~EnvelopeParser() = default;

Result<Envelope> EnvelopeParser::parse(std::string_view text, std::string& message_id) const {
  auto parsed = parse_json(text, max_json_depth_);
  if (parsed.too_deep) {
    return make_error(ErrorCode::kClientBadEnvelope,
                      "JSON nests deeper than " + std::to_string(max_json_depth_) + " levels");
  }
  if (!parsed.document.has_value()) {
    // The parser refuses text that is not UTF-8 (RFC 8259) like any other
    // error; only then is it worth a second look to say which it was.
    if (const auto offset = find_invalid_utf8(text)) {
      return make_error(ErrorCode::kClientBadEnvelope,
                        "the request body is not valid UTF-8 (byte " + std::to_string(*offset) +
                            " does not begin or continue a UTF-8 character); JSON must be UTF-8");
    }
    return make_error(ErrorCode::kClientBadEnvelope, "the request body is not valid JSON");
  }
  nlohmann::json& document = *parsed.document;
  if (document.is_object()) {
    const auto header = document.find("header");
    if (header != document.end() && header->is_object()) {
      const auto id = header->find("id");
      if (id != header->end() && id->is_string() &&
          is_valid_message_id(id->get_ref<const std::string&>())) {
        message_id = id->get<std::string>();
      }
    }
  }
  if (auto violations = schema_->validate(document); !violations.empty()) {
    Error error = make_error(ErrorCode::kClientBadEnvelope,
                             "the envelope does not match envelope.schema.json");
    for (auto& v : violations)
      error.fields.push_back({std::move(v.pointer), std::move(v.reason)});
    return error;
  }
  const auto& header = document["header"];
  Envelope envelope;
  envelope.header.id = header["id"].get<std::string>();
  envelope.header.from = header["from"].get<std::string>();
  envelope.header.to = header["to"].get<std::string>();
  envelope.header.service = header["service"].get<std::string>();
  envelope.header.version = header["version"].get<std::string>();
  envelope.header.purpose = optional_string(header, "purpose");
  envelope.header.user_id = optional_string(header, "userId");
  envelope.header.timestamp = optional_string(header, "timestamp");
  // The schema says the same; this holds even if the schema is edited, since
  // these fields travel on as provider request headers and audit fields.
  for (const auto& [name, value] : {std::pair{"purpose", &envelope.header.purpose},
                                    std::pair{"userId", &envelope.header.user_id},
                                    std::pair{"timestamp", &envelope.header.timestamp}}) {
    if (find_control_character(*value)) {
      Error error = make_error(ErrorCode::kClientBadEnvelope,
                               "header fields may not hold control characters");
      error.fields.push_back({std::string("/header/") + name, "holds a control character"});
      return error;
    }
  }
  envelope.payload = std::move(document["body"]);
  // The checked tree, not the caller's bytes: a repeated name reaches the
  // provider once, with the value that was checked.
  envelope.body = to_json_text(envelope.payload);
  return envelope;
}

}  // namespace lienthong::exchange

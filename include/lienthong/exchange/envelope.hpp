#pragma once
// The standard message envelope (schemas/json/envelope.schema.json).

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::schema {
class JsonSchema;
}

namespace lienthong::exchange {

struct EnvelopeHeader {
  std::string id;
  std::string from;
  std::string to;
  std::string service;
  std::string version;
  std::string purpose;  // empty when absent
  std::string user_id;  // empty when absent
  std::string timestamp;

  // "to/service/version", the registry's service key.
  std::string service_key() const { return to + "/" + service + "/" + version; }
};

struct Envelope {
  EnvelopeHeader header;
  nlohmann::json payload;  // the parsed body, for the service's request schema
  std::string body;        // the same, re-serialised as compact JSON for the provider
};

// Parses and validates envelopes against the embedded envelope schema, which
// is compiled once when the parser is made. Thread-safe.
class EnvelopeParser {
 public:
  // Throws std::runtime_error if the embedded schema does not compile (a build defect).
  explicit EnvelopeParser(int max_json_depth);
  ~EnvelopeParser();

  // Client.BadEnvelope (with the failing JSON pointers) for anything that is
  // not a valid envelope. `message_id` receives header.id whenever the text
  // is JSON with a well-formed id, even if the rest is invalid, so refusals
  // can still be correlated.
  Result<Envelope> parse(std::string_view text, std::string& message_id) const;

 private:
  std::shared_ptr<const schema::JsonSchema> schema_;
  int max_json_depth_;
};

// The embedded envelope schema text.
std::string_view envelope_schema_text();

}  // namespace lienthong::exchange

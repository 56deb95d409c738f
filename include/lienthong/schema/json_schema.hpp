#pragma once
// A compiled JSON Schema (draft 7, via valijson). Compile once (per registry
// snapshot, or at start for the envelope schema), validate many times from
// any thread: a compiled schema is immutable.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::schema {

struct SchemaViolation {
  std::string pointer;  // RFC 6901 JSON pointer into the validated document, "" for the root
  std::string reason;
};

class JsonSchema {
 public:
  // Fails with Client.BadRequest when `schema_document` is not a usable schema.
  static Result<std::shared_ptr<const JsonSchema>> compile(const nlohmann::json& schema_document);
  ~JsonSchema();
  JsonSchema(const JsonSchema&) = delete;
  JsonSchema& operator=(const JsonSchema&) = delete;

  // Empty when `document` is valid; otherwise at most `max_violations` entries.
  std::vector<SchemaViolation> validate(const nlohmann::json& document,
                                        std::size_t max_violations = 20) const;

  // The schema document this was compiled from (service descriptions show it).
  const nlohmann::json& document() const;

  // How many schemas this process has compiled (tests assert compile-once with it).
  static std::uint64_t compiled_count();

 private:
  struct Impl;
  explicit JsonSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::schema

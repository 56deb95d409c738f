#pragma once
// Checks a request body against a resource's FieldSpecs and reports every
// invalid field at once, as JSON pointers, so one problem+json names them all.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/error.hpp"

#include "registry/resource_spec.hpp"

namespace lienthong::admin {

enum class WriteMode { kCreate, kUpdate };

// Unknown fields, missing required fields (create), fields that cannot be
// changed (update), wrong types and values that break a field's rule.
std::vector<FieldError> validate_fields(const nlohmann::json& body,
                                        const std::vector<FieldSpec>& fields, WriteMode mode);

// The JSON pointer of the first string or member name in `value` that holds
// U+0000, which PostgreSQL text cannot store; nullopt when none does.
// `value`'s depth must already be bounded (it recurses).
std::optional<std::string> find_nul_in_strings(const nlohmann::json& value,
                                               const std::string& at = "");

}  // namespace lienthong::admin

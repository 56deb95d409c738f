#pragma once
// Checks a request body against a resource's FieldSpecs and reports every
// invalid field at once, as JSON pointers, so one problem+json names them all.

#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/error.hpp"

#include "resource_spec.hpp"

namespace lienthong::admin {

enum class WriteMode { kCreate, kUpdate };

// Unknown fields, missing required fields (create), fields that cannot be
// changed (update), wrong types and values that break a field's rule.
std::vector<FieldError> validate_fields(const nlohmann::json& body,
                                        const std::vector<FieldSpec>& fields, WriteMode mode);

}  // namespace lienthong::admin

#pragma once
// The auditor API gives kept bodies as they were sent: a record document
// whose bodies are sealed at rest (audit/body_keys.hpp) has them opened
// here, in the request's transaction, before the answer leaves. A body
// whose month's key was shredded is null, with "bodies_shredded": true.

#include <nlohmann/json.hpp>

#include "lienthong/audit/body_keys.hpp"

namespace lienthong::admin {

// Opens the bodies of one api_audit_records document in place. Throws
// std::runtime_error when a sealed body does not open (altered, or this
// node holds another key-encryption key).
void open_record_bodies(audit::BodyOpener& opener, nlohmann::json& record);

}  // namespace lienthong::admin

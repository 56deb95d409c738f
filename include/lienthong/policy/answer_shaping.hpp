#pragma once
// What a provider's successful answer must pass before any consumer sees it,
// synchronously or from the delivery queue: the service's response schema
// (or Provider.SchemaViolation, and nothing is passed on), then data
// minimisation to the agreement's response_fields.

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::registry {
struct ServiceEntry;
struct AgreementEntry;
}  // namespace lienthong::registry

namespace lienthong::policy {

Result<nlohmann::json> shape_answer(const registry::ServiceEntry& service,
                                    const registry::AgreementEntry& agreement,
                                    const nlohmann::json& body);

}  // namespace lienthong::policy

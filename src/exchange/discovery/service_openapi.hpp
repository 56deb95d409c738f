#pragma once
// An OpenAPI 3.1 description of one registered service, built from its
// registered request and response JSON Schemas, for both ways of calling it:
// the standard envelope (POST /exchange/v1/messages) and X-Road REST (/r1/...).
// Served at GET /exchange/v1/services/{id}/openapi and by X-Road's getOpenAPI.

#include <string>

#include "lienthong/registry/snapshot.hpp"

namespace lienthong::exchange {

// `agreement` is the caller's agreement for the service, or null when it has
// none: with one, the description shows the methods, paths and response
// fields that agreement allows.
std::string service_openapi_json(const registry::ServiceEntry& service,
                                 const registry::AgreementEntry* agreement);

}  // namespace lienthong::exchange

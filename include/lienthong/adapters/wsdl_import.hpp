#pragma once
// Proposes SOAP bindings (adapter_config.soap, src/adapters/soap/soap_binding.hpp) from a
// WSDL 1.1 document and its XML Schemas, for an administrator to review
// before registering a legacy service: namespace, operation, SOAPAction and
// version from the WSDL binding, element order from the request's XSD
// sequences, request elements of other namespaces (shared "common types"),
// and the answer's lists as paths (maxOccurs > 1), so zero occurrences give [].
//
// Imports (wsdl:import, xs:import, xs:include) are read from local files
// next to the WSDL only; a network location is reported, never fetched.

#include <filesystem>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::adapters::soap {

// [{"binding", "operation", "address", "adapter_config": {"soap": {...}},
//   "notes": [what the proposal could not express, to check by hand]}, ...]
// one per operation of every SOAP 1.1/1.2 binding; Client.InvalidInput when
// the file cannot be read or is not a WSDL 1.1 document.
Result<nlohmann::json> import_wsdl(const std::filesystem::path& wsdl);

}  // namespace lienthong::adapters::soap

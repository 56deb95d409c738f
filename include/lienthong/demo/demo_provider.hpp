#pragma once
// Demo provider systems with deterministic synthetic data, standing in for
// real ministry systems in the demo and in tests. Plain HTTP on loopback.

#include <memory>
#include <string>
#include <vector>

#include "lienthong/net/http_handler.hpp"

namespace lienthong::demo {

// The national population registry: POST /citizens/lookup {"idNumber": "001089012345"}.
std::shared_ptr<net::HttpHandler> make_population_registry();

// The national business registry: POST /enterprises/lookup {"taxCode": "0101234567"}.
std::shared_ptr<net::HttpHandler> make_business_registry();

// Names accepted by make_demo_system: "population", "business".
std::vector<std::string> demo_system_names();
std::shared_ptr<net::HttpHandler> make_demo_system(const std::string& name);

}  // namespace lienthong::demo

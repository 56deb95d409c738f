#pragma once
// Checks a service's adapter_config before it is stored, section by section
// ("mapping" for every adapter, one section per adapter that needs one, e.g.
// "soap"), so a registry change cannot leave a service that cannot be called.

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace lienthong::adapters {

// Empty when valid; else "<section>/<field>: why" for the first problem.
std::string check_adapter_config(const nlohmann::json& config);

}  // namespace lienthong::adapters

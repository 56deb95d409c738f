#pragma once
// Data minimisation: a consumer receives only the fields its agreement lists.

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace lienthong::policy {

// The parts of `body` named by `allowed` (RFC 6901 JSON pointers), at the same
// places; everything else is left out. An empty list, or the pointer "",
// allows the whole body. Pointers that name nothing are skipped.
nlohmann::json project_response(const nlohmann::json& body,
                                const std::vector<std::string>& allowed);

}  // namespace lienthong::policy

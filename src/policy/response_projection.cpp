#include "lienthong/policy/response_projection.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace lienthong::policy {

nlohmann::json project_response(const nlohmann::json& body,
                                const std::vector<std::string>& allowed) {
  if (allowed.empty() || std::find(allowed.begin(), allowed.end(), "") != allowed.end())
    return body;
  nlohmann::json projected = body.is_array() ? nlohmann::json::array() : nlohmann::json::object();
  for (const auto& text : allowed) {
    try {
      const nlohmann::json::json_pointer pointer(text);
      if (body.contains(pointer))
        projected[pointer] = body.at(pointer);
    } catch (const nlohmann::json::exception&) {
      // Not a pointer into this body (validated at registration; skip, never leak).
    }
  }
  return projected;
}

}  // namespace lienthong::policy

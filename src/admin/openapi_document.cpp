#include <string_view>
#include <utility>
#include <vector>

#include "lienthong/admin/admin_api.hpp"

namespace lienthong::embedded {
std::vector<std::pair<std::string_view, std::string_view>> openapi_documents();
}

namespace lienthong::admin {

// docs/openapi/admin-v1.json, embedded at build time: the document the API
// serves is the one in the repository, and a test holds it to routes().
const std::string& AdminApi::openapi_document() {
  static const std::string document(embedded::openapi_documents().at(0).second);
  return document;
}

}  // namespace lienthong::admin

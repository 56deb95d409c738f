// The OpenAPI document the admin listener serves (docs/openapi/admin-v1.json)
// must describe exactly the routes the API serves: a route without
// documentation, or documentation without a route, fails here.
#include <set>

#include "lienthong/admin/admin_api.hpp"

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class OpenApi : public AdminFixture {};

TEST_F(OpenApi, ServedDocumentListsExactlyTheRoutesTheApiServes) {
  TestClient anonymous(hub_->admin_port(), std::nullopt);
  const auto response = anonymous.request("GET", "/admin/v1/openapi.json", "", "");
  ASSERT_EQ(response.status, 200);
  const auto document = json::parse(response.body);
  EXPECT_EQ(document["openapi"].get<std::string>().substr(0, 2), "3.");

  std::set<std::string> documented;
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      if (method == "parameters")
        continue;
      std::string upper = method;
      for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + path);
      EXPECT_TRUE(operation.contains("responses")) << upper << " " << path;
    }
  }
  std::set<std::string> served;
  for (const auto& route : admin::AdminApi::routes())
    served.insert(route.method + " " + route.path);

  for (const auto& route : served)
    EXPECT_TRUE(documented.count(route)) << "served but not documented: " << route;
  for (const auto& route : documented)
    EXPECT_TRUE(served.count(route)) << "documented but not served: " << route;
  EXPECT_GT(served.size(), 30u);
}

TEST_F(OpenApi, EveryServedRouteAnswersSomethingOtherThanNotFound) {
  // Guards routes() against drifting from the dispatcher it describes.
  TestClient raw(hub_->admin_port(), std::nullopt);
  const auto auth =
      std::map<std::string, std::string>{{"Authorization", "Bearer " + hub_admin_token_}};
  for (const auto& route : admin::AdminApi::routes()) {
    std::string path = route.path;
    if (const auto at = path.find("{id}"); at != std::string::npos)
      path.replace(at, 4, "999999");  // no such entity: changes nothing
    const auto response = raw.request(route.method, path, "", "", auth);
    if (response.status == 404) {
      // Only "no such entity" is acceptable, never "no such endpoint".
      const auto detail = json::parse(response.body)["detail"].get<std::string>();
      EXPECT_EQ(detail.find("no admin endpoint"), std::string::npos) << route.path;
      EXPECT_EQ(detail.find("no action"), std::string::npos) << route.path;
    }
    EXPECT_NE(response.status, 405) << route.method << " " << route.path;
  }
}

}  // namespace
}  // namespace lienthong::testing

// The OpenAPI documents the listeners serve (docs/openapi/admin-v1.json,
// docs/openapi/exchange-v1.json) must describe routes the hub serves: a route
// without documentation, or documentation without a route, fails here.
#include <set>

#include "lienthong/admin/admin_api.hpp"

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

std::string upper_case(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

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
      const std::string upper = upper_case(method);
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
  // Once the node is ready, no route may answer 5xx (not even /readyz).
  ASSERT_TRUE(becomes_ready()) << "the node did not become ready";
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
    EXPECT_LT(response.status, 500) << route.method << " " << route.path << ": " << response.body;
  }
}

TEST_F(OpenApi, EveryDocumentedExchangeOperationIsServed) {
  TestClient anonymous(hub_->exchange_port(), std::nullopt);
  const auto served = anonymous.request("GET", "/exchange/v1/openapi.json", "", "");
  ASSERT_EQ(served.status, 200);
  const auto document = json::parse(served.body);
  EXPECT_EQ(document["openapi"], "3.1.0");

  // Fill each path template with the fixture's provider and echo service and
  // call it as TEST-CONSUMER: whatever the answer, it must not be "no such endpoint".
  const std::map<std::string, std::string> values{
      {"{instance}", "VN"},          {"{memberClass}", "GOV"},   {"{member}", "TEST.01"},
      {"{system}", "TEST-PROVIDER"}, {"{service}", "echo"},      {"{version}", "v1"},
      {"{path}", "pets/7"},          {"{id}", "no-such-message"}};
  auto consumer = client();
  int operations = 0;
  for (const auto& [templated, item] : document["paths"].items()) {
    std::string path = templated;
    for (const auto& [name, value] : values) {
      if (const auto at = path.find(name); at != std::string::npos)
        path.replace(at, name.size(), value);
    }
    ASSERT_EQ(path.find('{'), std::string::npos) << "unfilled parameter in " << templated;
    if (path.ends_with("/getOpenAPI"))
      path += "?serviceCode=echo";
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters")
        continue;
      const std::string upper = upper_case(method);
      const bool has_body = operation.contains("requestBody");
      const auto response =
          consumer.request(upper, path, has_body ? "{}" : "", has_body ? "application/json" : "",
                           {{"X-Road-Client", kConsumer}, {"X-Lienthong-Purpose", "test"}});
      ++operations;
      EXPECT_NE(response.status, 405) << upper << " " << path;
      if (response.status == 404) {
        EXPECT_EQ(response.body.find("no exchange endpoint"), std::string::npos)
            << upper << " " << path;
      }
    }
  }
  // the five r1 methods twice (with and without a further path), the three
  // federation endpoints, and the five r1 methods a peer hub passes on
  EXPECT_EQ(operations, 26);
}

}  // namespace
}  // namespace lienthong::testing

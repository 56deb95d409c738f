#include "lienthong/policy/response_projection.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lienthong::policy {
namespace {

using nlohmann::json;

const json kCitizen = json::parse(R"({"idNumber": "001089012345", "fullName": "Đặng Minh Phong",
  "address": {"province": "Hà Nội", "street": "141 Nguyễn Huệ"}, "phones": ["0901", "0902"]})");

TEST(ResponseProjection, KeepsOnlyTheAllowedFieldsInPlace) {
  EXPECT_EQ(project_response(kCitizen, {"/fullName", "/address/province"}),
            json::parse(R"({"fullName": "Đặng Minh Phong", "address": {"province": "Hà Nội"}})"));
}

TEST(ResponseProjection, EmptyListOrRootPointerAllowsEverything) {
  EXPECT_EQ(project_response(kCitizen, {}), kCitizen);
  EXPECT_EQ(project_response(kCitizen, {""}), kCitizen);
}

TEST(ResponseProjection, PointersToNothingOrMalformedLeakNothing) {
  EXPECT_EQ(project_response(kCitizen, {"/nothing", "not-a-pointer", "/phones/7"}), json::object());
}

}  // namespace
}  // namespace lienthong::policy

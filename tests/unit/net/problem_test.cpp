#include "lienthong/net/problem.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lienthong::net {
namespace {

TEST(Problem, IsRfc9457WithOurStableFields) {
  Error error = make_error(ErrorCode::kClientBadEnvelope, "the envelope is wrong");
  error.fields.push_back({"/header/id", "required"});
  const auto response = problem_response(error, {"m-1", "r-1", "/exchange/v1/messages"});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["type"], "urn:lienthong:problem:Client.BadEnvelope");
  EXPECT_EQ(body["status"], 400);
  EXPECT_EQ(body["code"], "Client.BadEnvelope");
  EXPECT_EQ(body["detail"], "the envelope is wrong");
  EXPECT_EQ(body["messageId"], "m-1");
  EXPECT_EQ(body["requestId"], "r-1");
  EXPECT_EQ(body["instance"], "/exchange/v1/messages");
  EXPECT_EQ(body["errors"][0]["pointer"], "/header/id");
}

TEST(Problem, SurvivesInvalidUtf8InTheDetail) {
  const auto response = problem_response(
      make_error(ErrorCode::kClientSenderMismatch, std::string("from \xff\xfe")), {"", "r", ""});
  EXPECT_EQ(response.status, 403);
  const auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded());
}

}  // namespace
}  // namespace lienthong::net

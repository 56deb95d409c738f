#include "lienthong/policy/json_limits.hpp"

#include <string>

#include <gtest/gtest.h>

namespace lienthong::policy {
namespace {

TEST(JsonDepth, CountsArraysAndObjects) {
  EXPECT_FALSE(exceeds_json_depth(R"({"a":[{"b":[1]}]})", 4));
  EXPECT_TRUE(exceeds_json_depth(R"({"a":[{"b":[1]}]})", 3));
}

TEST(JsonDepth, IgnoresBracketsInsideStrings) {
  EXPECT_FALSE(exceeds_json_depth(R"({"a":"[[[[[[{{{{"})", 1));
  EXPECT_FALSE(exceeds_json_depth(R"({"a":"\"[[[[[["})", 1));
}

TEST(JsonDepth, HandlesHugeInputInOnePass) {
  EXPECT_TRUE(exceeds_json_depth(std::string(1'000'000, '['), 64));
  EXPECT_FALSE(exceeds_json_depth(std::string(1'000'000, ' '), 64));
}

}  // namespace
}  // namespace lienthong::policy

#include "lienthong/core/identifiers.hpp"

#include <gtest/gtest.h>

namespace lienthong {
namespace {

TEST(SystemId, ParsesTheFourParts) {
  const auto id = SystemId::parse("VN/GOV/000.00.00.G12/HOTICH");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->instance, "VN");
  EXPECT_EQ(id->member_class, "GOV");
  EXPECT_EQ(id->member_code, "000.00.00.G12");
  EXPECT_EQ(id->system_code, "HOTICH");
  EXPECT_EQ(id->to_string(), "VN/GOV/000.00.00.G12/HOTICH");
}

TEST(SystemId, RejectsWrongShapes) {
  for (const char* text : {"", "VN", "VN/GOV/000", "VN/GOV/000/SYS/extra", "VN//000/SYS",
                           "VN/GOV/000/", "/GOV/000/SYS", "VN/XYZ/000/SYS", "VN/gov/000/SYS",
                           "VN/GOV/00 0/SYS", "VN/GOV/000/SYS\n", "VN/GOV/mã/SYS"}) {
    EXPECT_FALSE(SystemId::parse(text).has_value()) << text;
  }
}

TEST(SystemId, LimitsPartLength) {
  EXPECT_TRUE(SystemId::parse("VN/ORG/" + std::string(128, 'a') + "/S").has_value());
  EXPECT_FALSE(SystemId::parse("VN/ORG/" + std::string(129, 'a') + "/S").has_value());
}

TEST(ServiceId, ParsesAndPrints) {
  const auto id = ServiceId::parse("VN/GOV/000.00.00.G12/HOTICH/citizen-lookup/v1");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->provider.system_code, "HOTICH");
  EXPECT_EQ(id->service_code, "citizen-lookup");
  EXPECT_EQ(id->version, "v1");
  EXPECT_EQ(id->to_string(), "VN/GOV/000.00.00.G12/HOTICH/citizen-lookup/v1");
  EXPECT_FALSE(ServiceId::parse("VN/GOV/000.00.00.G12/HOTICH/citizen-lookup").has_value());
}

TEST(MemberClass, KnowsTheFourClasses) {
  for (const char* c : {"GOV", "PROV", "ORG", "COM"})
    EXPECT_TRUE(is_member_class(c)) << c;
  for (const char* c : {"", "Gov", "NGO", "GOVX"})
    EXPECT_FALSE(is_member_class(c)) << c;
}

}  // namespace
}  // namespace lienthong

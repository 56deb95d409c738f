#include "lienthong/exchange/envelope.hpp"

#include <gtest/gtest.h>

namespace lienthong::exchange {
namespace {

const std::string kValid = R"({"header":{"id":"m-1","from":"VN/PROV/000.00.00.H26/MOTCUA-HN",
  "to":"VN/GOV/000.00.00.G03/DANCU","service":"citizen-lookup","version":"v1",
  "purpose":"kiểm tra","userId":"u-7"},"body":{"idNumber":"001089012345"}})";

TEST(EnvelopeParser, ReadsAValidEnvelope) {
  EnvelopeParser parser(64);
  std::string id;
  const auto envelope = parser.parse(kValid, id);
  ASSERT_TRUE(envelope.has_value()) << envelope.error().detail;
  EXPECT_EQ(id, "m-1");
  EXPECT_EQ(envelope.value().header.from, "VN/PROV/000.00.00.H26/MOTCUA-HN");
  EXPECT_EQ(envelope.value().header.service_key(), "VN/GOV/000.00.00.G03/DANCU/citizen-lookup/v1");
  EXPECT_EQ(envelope.value().header.purpose, "kiểm tra");
  EXPECT_EQ(envelope.value().header.user_id, "u-7");
  EXPECT_EQ(envelope.value().body, R"({"idNumber":"001089012345"})");
}

TEST(EnvelopeParser, NamesTheMissingFieldByPointer) {
  EnvelopeParser parser(64);
  std::string id;
  const auto envelope = parser.parse(
      R"({"header":{"id":"m-2","from":"VN/PROV/X/Y","to":"VN/GOV/A/B","version":"v1"},"body":{}})",
      id);
  ASSERT_FALSE(envelope.has_value());
  EXPECT_EQ(envelope.error().code, ErrorCode::kClientBadEnvelope);
  EXPECT_EQ(id, "m-2") << "the id is kept for correlating the refusal";
  // The pointer names the missing member itself, not only its parent.
  bool names_service = false;
  for (const auto& f : envelope.error().fields)
    names_service |= f.pointer == "/header/service" && f.detail == "is required";
  EXPECT_TRUE(names_service);
}

TEST(EnvelopeParser, RejectsBadIdentifiersAndExtraFields) {
  EnvelopeParser parser(64);
  std::string id;
  for (
      const std::string text :
      {R"({"header":{"id":"m","from":"VN/XX/A/B","to":"VN/GOV/A/B","service":"s","version":"v1"},"body":{}})",
       R"({"header":{"id":"m m","from":"VN/GOV/A/B","to":"VN/GOV/A/B","service":"s","version":"v1"},"body":{}})",
       R"({"header":{"id":"m","from":"VN/GOV/A/B","to":"VN/GOV/A/B","service":"s","version":"v1","x":1},"body":{}})",
       R"({"header":{"id":"m","from":"VN/GOV/A/B","to":"VN/GOV/A/B","service":"s","version":"v1"},"body":[]})",
       R"({"header":{"id":"m","from":"VN/GOV/A/B","to":"VN/GOV/A/B","service":"s","version":"v1"}})",
       R"([])", R"("text")", R"({"header":null,"body":{}})"}) {
    EXPECT_FALSE(parser.parse(text, id).has_value()) << text;
  }
}

TEST(EnvelopeParser, RejectsInvalidJson) {
  EnvelopeParser parser(64);
  std::string id;
  for (const std::string text : {"", "{", R"({"header":)", "not json", "{\"a\":1}}"}) {
    const auto result = parser.parse(text, id);
    ASSERT_FALSE(result.has_value()) << text;
    EXPECT_EQ(result.error().code, ErrorCode::kClientBadEnvelope);
  }
}

TEST(EnvelopeParser, RefusesAMillionNestedArraysWithoutRecursing) {
  EnvelopeParser parser(64);
  std::string id;
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  const auto result = parser.parse(deep, id);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().detail.find("deeper than 64"), std::string::npos);
}

}  // namespace
}  // namespace lienthong::exchange

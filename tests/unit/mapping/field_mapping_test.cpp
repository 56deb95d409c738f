// The REST adapter's declarative mapping: a citizen lookup in the national
// standard shape against a provincial system's own field names, dates and
// province codes, and every way a mapping or a document can be wrong.
#include "lienthong/mapping/field_mapping.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lienthong::mapping {
namespace {

using nlohmann::json;

const json kMapping = json::parse(R"({
  "request": [
    {"from": "/citizenId", "to": "/so_cccd", "required": true},
    {"from": "/birthDate", "to": "/thong_tin/ngay_sinh", "convert": "date-iso-to-dmy"},
    {"value": "TRA_CUU", "to": "/loai_yeu_cau"},
    {"from": "/province", "to": "/ma_tinh", "convert": "lookup", "table": "to-province-code"}
  ],
  "response": [
    {"from": "/ho_ten", "to": "/fullName"},
    {"from": "/thong_tin/ngay_sinh", "to": "/birthDate", "convert": "date-dmy-to-iso"},
    {"from": "/ma_tinh", "to": "/province", "convert": "lookup", "table": "from-province-code"},
    {"from": "/so_nha", "to": "/address/houseNumber", "convert": "number-to-string"},
    {"from": "/thanh_vien", "to": "/household", "each": [
      {"from": "/ten", "to": "/name", "required": true},
      {"from": "/tuoi", "to": "/age", "convert": "string-to-number"}
    ]}
  ],
  "lookups": {
    "to-province-code": {"HN": "01", "HCM": "79"},
    "from-province-code": {"01": "HN", "79": "HCM"}
  }
})");

FieldMapping compiled(const std::string& direction) {
  auto mapping = FieldMapping::compile(kMapping, direction);
  EXPECT_TRUE(mapping.has_value());
  return std::move(mapping).value();
}

TEST(FieldMapping, TranslatesTheStandardRequestIntoTheProvidersShape) {
  const auto out = compiled("request").apply({{"citizenId", "001099012345"},
                                              {"birthDate", "1999-03-05"},
                                              {"province", "HN"},
                                              {"notMapped", "dropped"}},
                                             ErrorCode::kClientMappingFailed);
  ASSERT_TRUE(out.has_value()) << out.error().detail;
  EXPECT_EQ(out.value(), json::parse(R"({"so_cccd": "001099012345",
      "thong_tin": {"ngay_sinh": "05/03/1999"}, "loai_yeu_cau": "TRA_CUU", "ma_tinh": "01"})"));
}

TEST(FieldMapping, TranslatesTheProvidersAnswerBackIncludingArrays) {
  const auto out =
      compiled("response")
          .apply(json::parse(R"({"ho_ten": "Nguyễn Văn A", "thong_tin": {"ngay_sinh": "05/03/1999"},
        "ma_tinh": "79", "so_nha": 12, "noi_bo": "internal field",
        "thanh_vien": [{"ten": "Trần Thị B", "tuoi": "34"}, {"ten": "Nguyễn Văn C"}]})"),
                 ErrorCode::kProviderMappingFailed);
  ASSERT_TRUE(out.has_value()) << out.error().detail;
  EXPECT_EQ(out.value(), json::parse(R"({"fullName": "Nguyễn Văn A", "birthDate": "1999-03-05",
      "province": "HCM", "address": {"houseNumber": "12"},
      "household": [{"name": "Trần Thị B", "age": 34}, {"name": "Nguyễn Văn C"}]})"));
}

TEST(FieldMapping, AnOptionalFieldThatIsMissingIsLeftOut) {
  const auto out =
      compiled("request").apply({{"citizenId", "001099012345"}}, ErrorCode::kClientMappingFailed);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out.value(), json::parse(R"({"so_cccd": "001099012345", "loai_yeu_cau": "TRA_CUU"})"));
}

TEST(FieldMapping, BadValuesFailWithTheFieldAndTheGivenCode) {
  struct Case {
    json input;
    std::string says;
  };
  const std::vector<Case> cases{
      {{{"birthDate", "1999-03-05"}}, "/citizenId is missing"},
      {{{"citizenId", "1"}, {"birthDate", "05/03/1999"}}, "/birthDate: not a date yyyy-MM-dd"},
      {{{"citizenId", "1"}, {"birthDate", "1999-02-30"}}, "/birthDate: not a date yyyy-MM-dd"},
      {{{"citizenId", "1"}, {"province", "XX"}}, "not in the code list to-province-code"},
      {json::array({1, 2}), "/citizenId is missing"},
      {json("just a string"), "/citizenId is missing"}};
  const auto request = compiled("request");
  for (const auto& c : cases) {
    const auto out = request.apply(c.input, ErrorCode::kClientMappingFailed);
    ASSERT_FALSE(out.has_value()) << c.input.dump();
    EXPECT_EQ(out.error().code, ErrorCode::kClientMappingFailed);
    EXPECT_NE(out.error().detail.find(c.says), std::string::npos) << out.error().detail;
  }
  const auto response = compiled("response");
  for (const auto& [input, says] : std::vector<std::pair<std::string, std::string>>{
           {R"({"thanh_vien": [{"tuoi": "34"}]})", "/thanh_vien/0: /ten is missing"},
           {R"({"thong_tin": {"ngay_sinh": "1999-03-05"}})", "not a date dd/MM/yyyy"},
           {R"({"thong_tin": {"ngay_sinh": "31/02/1999"}})", "not a date dd/MM/yyyy"},
           {R"({"so_nha": "12"})", "/so_nha: not a number"},
           {R"({"thanh_vien": [{"ten": "A", "tuoi": "34 tuổi"}]})", "not a number in a string"}}) {
    const auto answer = response.apply(json::parse(input), ErrorCode::kProviderMappingFailed);
    ASSERT_FALSE(answer.has_value()) << input;
    EXPECT_EQ(answer.error().code, ErrorCode::kProviderMappingFailed);
    EXPECT_NE(answer.error().detail.find(says), std::string::npos) << answer.error().detail;
  }
}

TEST(FieldMapping, InvalidMappingsAreRefusedWithPointersIntoThem) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {R"({"request": {}})", "/request"},
      {R"({"request": [{"from": "/a"}]})", "/request/0/to"},
      {R"({"request": [{"to": "/a"}]})", "/request/0"},
      {R"({"request": [{"to": "/a", "from": "/b", "value": 1}]})", "/request/0"},
      {R"({"request": [{"to": "a", "from": "/b"}]})", "/request/0/to"},
      {R"({"request": [{"to": "/a", "from": "/b", "convert": "uppercase"}]})",
       "/request/0/convert"},
      {R"({"request": [{"to": "/a", "from": "/b", "convert": "lookup", "table": "none"}]})",
       "/request/0/table"},
      {R"({"request": [{"to": "/a", "from": "/b", "colour": "red"}]})", "/request/0/colour"},
      {R"({"response": [{"to": "/a", "value": 1, "each": []}]})", "/response/0/each"},
      {R"({"lookups": []})", "/lookups"},
      {R"({"requests": []})", "/requests"}};
  for (const auto& [text, pointer] : cases) {
    const auto errors = check_mapping(json::parse(text));
    ASSERT_FALSE(errors.empty()) << text;
    EXPECT_EQ(errors.front().pointer, pointer) << text << ": " << errors.front().detail;
  }
  EXPECT_TRUE(check_mapping(kMapping).empty());
  // Nesting is bounded.
  json deep = {{"to", "/x"}, {"from", "/x"}};
  for (int i = 0; i < 10; ++i)
    deep = {{"to", "/x"}, {"from", "/x"}, {"each", json::array({deep})}};
  EXPECT_FALSE(check_mapping({{"request", json::array({deep})}}).empty());
}

TEST(FieldMapping, TwoRulesWritingTheSamePathDifferentlyFailInsteadOfThrowing) {
  const auto mapping = FieldMapping::compile(
      json::parse(R"({"request": [{"value": 1, "to": "/a"}, {"value": 2, "to": "/a/b"}]})"),
      "request");
  ASSERT_TRUE(mapping.has_value());
  const auto out = mapping.value().apply(json::object(), ErrorCode::kClientMappingFailed);
  ASSERT_FALSE(out.has_value());
  EXPECT_NE(out.error().detail.find("/a/b cannot be written"), std::string::npos);
}

}  // namespace
}  // namespace lienthong::mapping

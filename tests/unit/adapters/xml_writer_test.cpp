// Issue 30 (7): requests in the reader's convention — attributes, text
// beside them, xsi:type — and elements of a shared "common types"
// namespace, as real legacy services need them.
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/soap/soap_binding.hpp"
#include "adapters/soap/xml_codec.hpp"

namespace lienthong::adapters::soap {
namespace {

using nlohmann::json;

// The XML written for `body` under <Op>, or the error's detail.
std::string written(const json& body, const WriteRules& rules = {}) {
  pugi::xml_document document;
  auto operation = document.append_child("Op");
  if (auto status = write_members(operation, body, rules); !status.has_value()) {
    EXPECT_EQ(status.error().code, ErrorCode::kClientMappingFailed);
    return "refused: " + status.error().detail;
  }
  std::ostringstream out;
  document.save(out, "", pugi::format_raw | pugi::format_no_declaration);
  return out.str();
}

TEST(XmlWriter, AtMembersAreAttributesAndHashTextIsTheText) {
  EXPECT_EQ(written(json::parse("{\"trangThai\": {\"@ma\": \"01\", \"#text\": \"\u0110\u00E3 "
                                "duy\u1EC7t\"}, \"soTo\": 12}")),
            "<Op><soTo>12</soTo><trangThai ma=\"01\">\u0110\u00E3 duy\u1EC7t</trangThai></Op>")
      << "members in JSON's order (by name) unless the binding's order says otherwise";
  EXPECT_EQ(written(json::parse(R"({"hoSo": {"@so": 7, "@xml:lang": "vi", "@bo": null,
                                  "ten": "A", "#text": "x"}})")),
            "<Op><hoSo so=\"7\" xml:lang=\"vi\">x<ten>A</ten></hoSo></Op>")
      << "a null attribute is no attribute; the text comes before the elements";
  EXPECT_EQ(written(json::parse(R"({"x": {"@a": "1", "#text": null}})")),
            "<Op><x a=\"1\" xsi:nil=\"true\"/></Op>");
}

TEST(XmlWriter, XsiTypeNamesItsNamespace) {
  EXPECT_EQ(written(json::parse(R"({"giayTo": {"@xsi:type": "{urn:giayto}CanCuoc", "so": "1"}})")),
            "<Op><giayTo xmlns:xt=\"urn:giayto\" xsi:type=\"xt:CanCuoc\"><so>1</so></giayTo></Op>");
  EXPECT_EQ(written(json::parse(R"({"n": {"@xsi:type": "Plain", "#text": 5}})")),
            "<Op><n xsi:type=\"Plain\">5</n></Op>");
  for (const char* wrong : {"{}T", "{urn:x", "{urn:x}1T", ""}) {
    EXPECT_NE(written(json{{"n", {{"@xsi:type", wrong}}}}).find("refused: /n/@xsi:type"),
              std::string::npos)
        << wrong;
  }
}

TEST(XmlWriter, WhatHasNoXmlFormIsRefusedNamingIt) {
  EXPECT_EQ(written(json::parse(R"({"x": {"@v:flag": "1"}})")).rfind("refused: /x/@v:flag", 0), 0u);
  EXPECT_EQ(written(json::parse(R"({"x": {"@a": {"b": 1}}})")).rfind("refused: /x/@a", 0), 0u);
  EXPECT_EQ(written(json::parse(R"({"x": {"#text": [1]}})")).rfind("refused: /x/#text", 0), 0u);
  EXPECT_EQ(written(json::parse(R"({"x": {"@": "1"}})")).rfind("refused: /x/@", 0), 0u);
  EXPECT_EQ(written(json::parse(R"({"x": {"#other": "1"}})")).rfind("refused: /x/#other", 0), 0u);
}

TEST(XmlWriter, CommonTypesGoInTheirOwnNamespace) {
  WriteRules rules;
  rules.namespaces = {{"diaChi", "urn:common"}};
  const json body = json::parse(R"({"diaChi": {"tinh": "DN"}, "soTo": 1})");
  EXPECT_EQ(written(body, rules),
            "<Op><diaChi xmlns=\"urn:common\"><tinh>DN</tinh></diaChi><soTo>1</soTo></Op>")
      << "qualified: its children follow it";
  rules.qualified = false;
  EXPECT_EQ(written(body, rules),
            "<Op><ns:diaChi xmlns:ns=\"urn:common\"><tinh>DN</tinh></ns:diaChi><soTo>1</soTo></Op>")
      << "unqualified: its children stay unqualified";
}

TEST(XmlWriter, WhatTheReaderMadeOfAnAnswerIsWrittenBackAsItWas) {
  const std::string answer =
      "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><trangThai ma=\"01\">OK"
      "</trangThai><giayTo xmlns:xt=\"urn:giayto\" xsi:type=\"xt:HoChieu\"><so>B2</so></giayTo>"
      "<huy xsi:nil=\"true\"/></r>";
  pugi::xml_document document;
  ASSERT_TRUE(parse_xml(document, answer).has_value());
  const auto json = read_element(document.document_element(), {}, 16);
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(written(json.value()),
            "<Op><giayTo xmlns:xt=\"urn:giayto\" xsi:type=\"xt:HoChieu\"><so>B2</so></giayTo>"
            "<huy xsi:nil=\"true\"/><trangThai ma=\"01\">OK</trangThai></Op>")
      << "the same content (members in JSON's order)";
}

TEST(XmlWriter, ABindingNamesNamespacesByElement) {
  const json base = {{"namespace", "urn:x"}, {"operation", "Op"}};
  auto with = [&](json namespaces) {
    json soap = base;
    soap["namespaces"] = std::move(namespaces);
    return check_soap_binding(soap);
  };
  EXPECT_EQ(with({{"diaChi", "urn:common"}}), "");
  EXPECT_NE(with({{"1x", "urn:common"}}), "");
  EXPECT_NE(with({{"diaChi", ""}}), "");
  EXPECT_NE(with({{"diaChi", "urn:a\nb"}}), "");
  EXPECT_NE(with(json::array({"urn:common"})), "");
}

}  // namespace
}  // namespace lienthong::adapters::soap

// Issue 30 (2, 3): what legacy SOAP answers hold beyond elements and text —
// attributes, xsi:type, several namespaces, lists that occur zero times —
// reaches the JSON or refuses the answer; nothing is dropped.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/soap/soap_binding.hpp"
#include "adapters/soap/xml_codec.hpp"

namespace lienthong::adapters::soap {
namespace {

using nlohmann::json;

constexpr const char* kXsi = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

Result<json> read(const std::string& xml, const std::set<std::string, std::less<>>& arrays = {}) {
  pugi::xml_document document;
  if (auto parsed = parse_xml(document, xml); !parsed.has_value())
    return std::move(parsed).error();
  return read_element(document.document_element(), arrays, 64);
}

std::string refusal(const std::string& xml, const std::set<std::string, std::less<>>& arrays = {}) {
  const auto read_back = read(xml, arrays);
  if (read_back.has_value())
    return "read as " + read_back.value().dump();
  EXPECT_EQ(read_back.error().code, ErrorCode::kProviderBadResponse);
  return read_back.error().detail;
}

TEST(XmlReader, AttributesBecomeAtMembersAndTheirTextHash) {
  // It was "" and "Đã duyệt": the status code was lost.
  EXPECT_EQ(read("<r><trangThai ma=\"01\"/></r>").value(),
            json::parse(R"({"trangThai": {"@ma": "01"}})"));
  EXPECT_EQ(
      read("<r><trangThai ma=\"01\">\u0110\u00E3 duy\u1EC7t</trangThai></r>").value(),
      json::parse("{\"trangThai\": {\"@ma\": \"01\", \"#text\": \"\u0110\u00E3 duy\u1EC7t\"}}"));
  EXPECT_EQ(read("<r><hoSo so=\"7\" xml:lang=\"vi\"><ten>A</ten></hoSo></r>").value(),
            json::parse(R"({"hoSo": {"@so": "7", "@xml:lang": "vi", "ten": "A"}})"));
  EXPECT_EQ(read("<r><ghiChu>ngo\u00E0i <b>x</b> gi\u1EEFa</ghiChu></r>").value(),
            json::parse("{\"ghiChu\": {\"b\": \"x\", \"#text\": \"ngo\u00E0i  gi\u1EEFa\"}}"))
      << "text beside elements is kept";
  EXPECT_EQ(read("<r " + std::string(kXsi) + "><x a=\"1\" xsi:nil=\"true\"/></r>").value(),
            json::parse(R"({"x": {"@a": "1", "#text": null}})"));
  EXPECT_EQ(read("<r><x xsi:nil=\"true\"/><n xsi:type=\"xsd:int\">5</n></r>").value(),
            json::parse(R"({"x": null, "n": "5"})"))
      << "xsi: and xsd: as conventionally meant, even when a stack left them undeclared";
}

TEST(XmlReader, XsiTypeTellsAnIdCardFromAPassportInOneList) {
  const std::string xml = "<r " + std::string(kXsi) +
                          " xmlns:gt=\"urn:giayto\"><giayTo xsi:type=\"gt:CanCuoc\"><so>1</so>"
                          "</giayTo><giayTo xsi:type=\"gt:HoChieu\"><so>B2</so></giayTo></r>";
  EXPECT_EQ(read(xml).value(), json::parse(R"({"giayTo": [
      {"@xsi:type": "{urn:giayto}CanCuoc", "so": "1"},
      {"@xsi:type": "{urn:giayto}HoChieu", "so": "B2"}]})"));
  // XML Schema's own types only say how the text is written (rpc/encoded).
  EXPECT_EQ(
      read("<r " + std::string(kXsi) +
           " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><n xsi:type=\"xsd:int\">5</n></r>")
          .value(),
      json::parse(R"({"n": "5"})"));
  EXPECT_NE(refusal("<r " + std::string(kXsi) + "><n xsi:type=\"nope:T\">5</n></r>")
                .find("prefix that is not declared"),
            std::string::npos);
}

TEST(XmlReader, OneLocalNameInTwoNamespacesIsRefusedNotMerged) {
  const auto detail = refusal(
      "<r xmlns:a=\"urn:a\" xmlns:b=\"urn:b\"><a:diaChi>1</a:diaChi><b:diaChi>2</b:diaChi></r>");
  EXPECT_NE(detail.find("\"urn:a\" and \"urn:b\""), std::string::npos) << detail;
  // Shared "common types" elements with names of their own read as before.
  EXPECT_EQ(read("<r xmlns=\"urn:svc\" xmlns:c=\"urn:common\"><c:diaChi>1</c:diaChi><ketQua>2</"
                 "ketQua></r>")
                .value(),
            json::parse(R"({"diaChi": "1", "ketQua": "2"})"));
}

TEST(XmlReader, AttributesOfUnknownNamespacesAreRefusedAndBookkeepingIsSkipped) {
  EXPECT_NE(refusal("<r xmlns:v=\"urn:vendor\"><x v:flag=\"1\">a</x></r>").find("v:flag"),
            std::string::npos);
  // Declarations, schema hints and SOAP encoding's attributes are not data.
  EXPECT_EQ(read("<r " + std::string(kXsi) +
                 " xsi:schemaLocation=\"urn:x x.xsd\" "
                 "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                 "soapenv:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><x>a</x></r>")
                .value(),
            json::parse(R"({"x": "a"})"));
}

TEST(XmlReader, ADeclaredListThatOccursZeroTimesIsEmpty) {
  // Zero occurrences gave no field, and an empty wrapper "": every schema
  // requiring the list failed.
  const std::set<std::string, std::less<>> arrays{"/danhSach/thua", "/canhBao"};
  EXPECT_EQ(read("<r><danhSach/></r>", arrays).value(),
            json::parse(R"({"danhSach": {"thua": []}, "canhBao": []})"));
  EXPECT_EQ(read("<r><danhSach>\n  </danhSach><canhBao>x</canhBao></r>", arrays).value(),
            json::parse(R"({"danhSach": {"thua": []}, "canhBao": ["x"]})"));
  EXPECT_EQ(read("<r><danhSach><thua>1</thua></danhSach></r>", arrays).value(),
            json::parse(R"({"danhSach": {"thua": ["1"]}, "canhBao": []})"));
  EXPECT_EQ(read("<r><thua>1</thua></r>", arrays).value(),
            json::parse(R"({"thua": "1", "canhBao": []})"))
      << "a path declares the list at that path only";
}

TEST(XmlReader, ABindingDeclaresListsByNameOrByPath) {
  auto binding = SoapBinding::from_config(
      json{{"soap", {{"namespace", "urn:x"}, {"operation", "Op"}, {"arrays", {"thua", "/a/b"}}}}});
  ASSERT_TRUE(binding.has_value()) << binding.error().detail;
  EXPECT_TRUE(binding.value().arrays.contains("/a/b"));
  for (const char* wrong : {"/", "a/b", "/a//b", "/a/", "/1a"}) {
    EXPECT_NE(
        check_soap_binding({{"namespace", "urn:x"}, {"operation", "Op"}, {"arrays", {wrong}}}), "")
        << wrong;
  }
  EXPECT_NE(check_soap_binding({{"namespace", "urn:x"}, {"operation", "Op"}, {"order", {"/a"}}}),
            "")
      << "order names elements, not paths";
}

}  // namespace
}  // namespace lienthong::adapters::soap

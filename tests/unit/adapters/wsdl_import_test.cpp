// Issue 30 (9): bindings proposed from WSDL files as legacy stacks publish
// them (tests/soap/wsdl/): what the importer reads, what it says to check by
// hand, and that every proposal is a binding the admin API accepts.
#include "lienthong/adapters/wsdl_import.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/soap/soap_binding.hpp"

namespace lienthong::adapters::soap {
namespace {

using nlohmann::json;

const std::filesystem::path kWsdls =
    std::filesystem::path(LIENTHONG_SOURCE_DIR) / "tests/soap/wsdl";

bool notes_mention(const json& proposal, const std::string& text) {
  for (const auto& note : proposal["notes"])
    if (note.get<std::string>().find(text) != std::string::npos)
      return true;
  return false;
}

TEST(WsdlImport, ADotNetServiceGivesOneBindingPerSoapVersion) {
  const auto proposals = import_wsdl(kWsdls / "land_registry.wsdl");
  ASSERT_TRUE(proposals.has_value()) << proposals.error().detail;
  ASSERT_EQ(proposals.value().size(), 2u);
  const auto& first = proposals.value()[0];
  EXPECT_EQ(first["binding"], "DatDaiSoap");
  EXPECT_EQ(first["address"], "http://datdai.example.gov.vn/DatDai.asmx");
  EXPECT_EQ(first["adapter_config"]["soap"], json::parse(R"({
      "version": "1.1", "namespace": "urn:gov:vn:btnmt:dat-dai:1",
      "operation": "TraCuuThuaDat", "action": "urn:gov:vn:btnmt:dat-dai:1#TraCuuThuaDat",
      "elements": "qualified",
      "order": ["maXa", "soTo", "soThua", "diaChi", "tinh", "xa"],
      "namespaces": {"diaChi": "urn:gov:vn:common:1"},
      "arrays": ["/thuaDat/chuSuDung", "/thuaDat/chuSuDung/giayTo", "/thuaDat/thuaLienKe",
                 "/thuaDat/thuaLienKe/chuSuDung", "/thuaDat/thuaLienKe/chuSuDung/giayTo",
                 "/thuaDat/thuaLienKe/thuaLienKe"]})"))
      << "the common types from the local common.xsd, the base type's elements, the lists";
  EXPECT_EQ(proposals.value()[1]["adapter_config"]["soap"]["version"], "1.2");
  // What it did not follow is said, not guessed.
  EXPECT_TRUE(notes_mention(first, "not fetched (local files only): https://example.invalid"));
  EXPECT_TRUE(notes_mention(first, "xs:any in ThuaDat"));
  EXPECT_TRUE(notes_mention(first, "a recursive type"));
  for (const auto& proposal : proposals.value())
    EXPECT_EQ(check_soap_binding(proposal["adapter_config"]["soap"]), "") << proposal.dump();
}

TEST(WsdlImport, AnAxisRpcEncodedServiceIsProposedWithWhatToCheck) {
  const auto proposals = import_wsdl(kWsdls / "axis_rpc_encoded.wsdl");
  ASSERT_TRUE(proposals.has_value()) << proposals.error().detail;
  ASSERT_EQ(proposals.value().size(), 1u);
  const auto& proposal = proposals.value()[0];
  EXPECT_EQ(proposal["adapter_config"]["soap"], json::parse(R"({"version": "1.1",
      "namespace": "urn:hotich", "operation": "getCitizen", "elements": "unqualified",
      "order": ["id"]})"));
  EXPECT_TRUE(notes_mention(proposal, "rpc style"));
  EXPECT_TRUE(notes_mention(proposal, "multiRef answers are refused"));
  EXPECT_EQ(check_soap_binding(proposal["adapter_config"]["soap"]), "");
}

TEST(WsdlImport, WhatIsNoWsdlIsRefusedAndNothingIsFetched) {
  const auto directory =
      std::filesystem::temp_directory_path() /
      ("lt-wsdl-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(directory);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(directory / name) << text;
    return directory / name;
  };
  for (const auto& [name, text, why] :
       {std::tuple{"doctype.wsdl",
                   std::string("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM "
                               "\"file:///etc/passwd\">]><d>&x;</d>"),
                   "document type"},
        std::tuple{"html.wsdl", std::string("<html><body>not a WSDL</body></html>"),
                   "neither a WSDL"},
        std::tuple{"broken.wsdl", std::string("<wsdl:definitions"), "not well-formed"}}) {
    const auto refused = import_wsdl(write(name, text));
    ASSERT_FALSE(refused.has_value()) << name;
    EXPECT_EQ(refused.error().code, ErrorCode::kClientInvalidInput);
    EXPECT_NE(refused.error().detail.find(why), std::string::npos) << refused.error().detail;
  }
  EXPECT_FALSE(import_wsdl(directory / "missing.wsdl").has_value());

  // Twelve mutually recursive elements: every order of them is a path.
  std::string types;
  for (int i = 0; i < 12; ++i) {
    types += "<s:complexType name=\"T" + std::to_string(i) + "\"><s:sequence>";
    for (int j = 0; j < 12; ++j)
      types += "<s:element name=\"e" + std::to_string(j) + "\" type=\"tns:T" + std::to_string(j) +
               "\" maxOccurs=\"unbounded\"/>";
    types += "</s:sequence></s:complexType>";
  }
  const auto tangled = import_wsdl(write("tangled.wsdl", R"(<wsdl:definitions
      xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
      xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" targetNamespace="urn:t">
    <wsdl:types><s:schema targetNamespace="urn:t">)" + types +
                                                             R"(
      <s:element name="Op" type="tns:T0"/><s:element name="OpResponse" type="tns:T0"/>
    </s:schema></wsdl:types>
    <wsdl:message name="In"><wsdl:part name="p" element="tns:Op"/></wsdl:message>
    <wsdl:message name="Out"><wsdl:part name="p" element="tns:OpResponse"/></wsdl:message>
    <wsdl:portType name="P"><wsdl:operation name="Op"><wsdl:input message="tns:In"/>
      <wsdl:output message="tns:Out"/></wsdl:operation></wsdl:portType>
    <wsdl:binding name="B" type="tns:P"><soap:binding style="document"/>
      <wsdl:operation name="Op"><soap:operation soapAction="Op"/></wsdl:operation></wsdl:binding>
  </wsdl:definitions>)"));
  ASSERT_TRUE(tangled.has_value()) << tangled.error().detail;
  EXPECT_TRUE(notes_mention(tangled.value()[0], "too large to follow completely"));
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace lienthong::adapters::soap

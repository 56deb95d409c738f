// The SOAP adapter's XML <-> JSON codec on what real providers send: deep
// documents, one-element lists, CDATA, declared encodings, and bytes that
// are not what they claim.
#include "adapters/soap/xml_codec.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lienthong::adapters::soap {
namespace {

using nlohmann::json;

// The JSON of `xml`'s root element, or the error's code name.
Result<json> read(const std::string& xml, const std::set<std::string, std::less<>>& arrays = {},
                  int max_depth = 64) {
  pugi::xml_document document;
  if (auto parsed = parse_xml(document, xml); !parsed.has_value())
    return std::move(parsed).error();
  return read_element(document.document_element(), arrays, max_depth);
}

TEST(XmlCodec, DocumentsDeeperThanTheLimitAreRefusedNotRecursedInto) {
  std::string deep;
  for (int i = 0; i < 200; ++i)
    deep += "<a>";
  deep += "x";
  for (int i = 0; i < 200; ++i)
    deep += "</a>";
  const auto refused = read(deep, {}, 64);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kProviderBadResponse);
  EXPECT_TRUE(read(deep, {}, 256).has_value()) << "within the limit it is read";
}

TEST(XmlCodec, AListOfOneIsAnArrayOnlyWhenTheServiceSaysSo) {
  const std::string one = "<r><item>1</item></r>";
  EXPECT_EQ(read(one).value(), (json{{"item", "1"}}));
  EXPECT_EQ(read(one, {"item"}).value(), (json{{"item", json::array({"1"})}}));
  EXPECT_EQ(read("<r><item>1</item><item>2</item></r>").value(),
            (json{{"item", json::array({"1", "2"})}}))
      << "a repeated name is an array without being told";
}

TEST(XmlCodec, CdataAndEntitiesBecomePlainText) {
  EXPECT_EQ(read("<r><note><![CDATA[x < y & \"z\"]]></note></r>").value(),
            (json{{"note", "x < y & \"z\""}}));
  EXPECT_EQ(read("<r><note>a &amp; b &#x1EA0;</note></r>").value(),
            (json{{"note", "a & b \xE1\xBA\xA0"}}));
}

TEST(XmlCodec, DeclaredEncodingsAreHonouredAndTextEndsUpUtf8) {
  const std::string utf8 =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><r><name>Nguy\xE1\xBB\x85n</name></r>";
  EXPECT_EQ(read(utf8).value(), (json{{"name", "Nguy\xE1\xBB\x85n"}}));
  // ISO-8859-1 bytes under their declaration arrive as UTF-8.
  const std::string latin1 =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r><name>Jos\xE9</name></r>";
  EXPECT_EQ(read(latin1).value(), (json{{"name", "Jos\xC3\xA9"}}));
}

TEST(XmlCodec, BytesThatAreNotTheirDeclaredUtf8AreRefused) {
  const auto refused =
      read("<?xml version=\"1.0\" encoding=\"UTF-8\"?><r><name>Jos\xE9</name></r>");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kProviderBadResponse);
}

TEST(XmlCodec, DocumentTypesAreRefusedBeforeAnyEntityExpands) {
  const auto refused =
      read("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">]><r>&a;</r>");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kProviderBadResponse);
  EXPECT_NE(refused.error().detail.find("document type"), std::string::npos);
}

// Issue 30 (4): any byte >= 0x80 passed as a name character, so JSON keys
// that are not XML names went to the provider as malformed XML.
TEST(XmlCodec, ElementNamesAreCheckedByCodePointAsXmlDefinesThem) {
  for (const std::string name : {"hoTen", "h\u1ECDT\u00EAn", "\u0110\u1ECBaCh\u1EC9", "_x", "a-b.c",
                                 "x\u00B7y", "e\u0301", "\u4E2D\u6587"}) {
    EXPECT_TRUE(is_xml_name(name)) << name;
  }
  for (const std::string name : {"", "1abc", "-a", "a b", "a:b", "a\u00A0b", "a\u00D7b", "\u0300a",
                                 "\u00B7a", "a\u2028b", "\xFF", "a\xC3"}) {
    EXPECT_FALSE(is_xml_name(name)) << name;
  }
}

TEST(XmlCodec, AKeyThatIsNoXmlNameIsRefusedBeforeAnythingIsSent) {
  pugi::xml_document document;
  auto root = document.append_child("r");
  WriteRules rules;
  rules.max_depth = 8;
  const auto written = write_members(root, json{{"so\u00A0To", 1}}, rules);
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().code, ErrorCode::kClientMappingFailed);
  EXPECT_NE(written.error().detail.find("is not an XML element name"), std::string::npos);
}

}  // namespace
}  // namespace lienthong::adapters::soap

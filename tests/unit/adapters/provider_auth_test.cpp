// Issue 30 (8): what a provider registers besides TLS, checked before it is
// stored, and what the SOAP adapter sends with it.
#include "lienthong/adapters/provider_auth.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "lienthong/core/digest.hpp"

#include "adapters/soap/soap_envelope.hpp"
#include "adapters/soap/soap_security.hpp"

namespace lienthong::adapters {
namespace {

using nlohmann::json;

std::vector<std::string> pointers(const Error& error) {
  std::vector<std::string> out;
  for (const auto& field : error.fields)
    out.push_back(field.pointer);
  return out;
}

TEST(ProviderAuth, ARegistrationIsCheckedMemberByMember) {
  const auto ok = check_provider_auth(json::parse(R"({
      "http_basic": {"username": "hub", "password": "p@ss:word"},
      "ws_security": {"username": "lienthong", "password": "s3cret", "password_type": "digest",
                      "timestamp": true},
      "soap_headers": "<a:AuthHeader xmlns:a=\"urn:legacy\"><a:Key>k-1</a:Key></a:AuthHeader>"})"));
  ASSERT_TRUE(ok.has_value()) << ok.error().detail;
  EXPECT_EQ(ok.value().http_basic->password, "p@ss:word");
  EXPECT_TRUE(ok.value().ws_security->digest);
  EXPECT_TRUE(ok.value().ws_security->timestamp);

  const auto bad = check_provider_auth(json::parse(R"({
      "http_basic": {"username": "a:b", "pasword": "x"},
      "ws_security": {"username": "u", "password": "line\nbreak", "password_type": "md5"},
      "extra": 1})"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kClientInvalidInput);
  const auto found = pointers(bad.error());
  for (const char* pointer :
       {"/extra", "/http_basic/pasword", "/http_basic/username", "/http_basic/password",
        "/ws_security/password", "/ws_security/password_type"})
    EXPECT_NE(std::find(found.begin(), found.end(), pointer), found.end()) << pointer;

  EXPECT_FALSE(check_provider_auth(json::object()).has_value()) << "registers nothing";
  EXPECT_FALSE(check_provider_auth(json::array()).has_value());
  EXPECT_FALSE(check_provider_auth(json{{"soap_headers", 5}}).has_value());
}

TEST(ProviderAuth, TheShownFormHasNoSecret) {
  const auto auth = check_provider_auth(json::parse(R"({
      "http_basic": {"username": "hub", "password": "basic-secret"},
      "ws_security": {"username": "lienthong", "password": "wsse-secret"},
      "soap_headers": "<a:AuthHeader xmlns:a=\"urn:legacy\"><a:Key>header-secret</a:Key></a:AuthHeader>"})"));
  ASSERT_TRUE(auth.has_value());
  const std::string shown = describe_registration(auth.value()).dump();
  for (const char* secret : {"basic-secret", "wsse-secret", "header-secret"})
    EXPECT_EQ(shown.find(secret), std::string::npos) << secret << " in " << shown;
  EXPECT_NE(shown.find("\"username\":\"hub\""), std::string::npos) << shown;
  EXPECT_NE(shown.find("{urn:legacy}AuthHeader"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\"password_type\":\"text\""), std::string::npos) << shown;
}

TEST(ProviderAuth, SoapHeaderFragmentsMustGoIntoAnyEnvelopeAsTheyAre) {
  const auto problem = [](const std::string& fragment) {
    return soap::check_header_fragment(fragment);
  };
  EXPECT_EQ(problem("<a:H xmlns:a=\"urn:x\"><a:K>1</a:K></a:H>\n<b:T xmlns:b=\"urn:y\"/>"), "");
  EXPECT_EQ(problem("<H xmlns=\"urn:x\"><K>1</K></H>"), "") << "a default namespace qualifies";
  EXPECT_NE(problem("<H><K>1</K></H>"), "") << "not namespace-qualified";
  EXPECT_NE(problem("<soap:H>1</soap:H>"), "") << "prefix declared only by the envelope";
  EXPECT_NE(problem("<a:H xmlns:a=\"urn:x\" xsi:type=\"t\"/>"), "")
      << "undeclared attribute prefix";
  EXPECT_NE(problem("<!DOCTYPE x [<!ENTITY e \"e\">]><a:H xmlns:a=\"urn:x\"/>"), "");
  EXPECT_NE(problem("<?pi x?><a:H xmlns:a=\"urn:x\"/>"), "");
  EXPECT_NE(problem("loose text<a:H xmlns:a=\"urn:x\"/>"), "");
  EXPECT_NE(problem("<a:H xmlns:a=\"urn:x\">"), "") << "not well-formed";
  EXPECT_NE(problem("</soap:Header><soap:Body>"), "") << "cannot close the envelope's elements";
  EXPECT_NE(problem("<lt:client xmlns:lt=\"urn:lienthong:soap:1\">X</lt:client>"), "");
  EXPECT_NE(problem("<e:Body xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"/>"), "");
  EXPECT_NE(problem(""), "");
  std::string deep;
  for (int i = 0; i < 40; ++i)
    deep += "<a:n xmlns:a=\"urn:x\">";
  for (int i = 0; i < 40; ++i)
    deep += "</a:n>";
  EXPECT_NE(problem(deep), "");

  const auto twice = check_provider_auth(json::parse(R"({
      "ws_security": {"username": "u", "password": "p"},
      "soap_headers": "<wsse:Security xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\"/>"})"));
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(pointers(twice.error()), std::vector<std::string>{"/soap_headers"});
}

// Reads the envelope build_request wrote with `auth`.
pugi::xml_node soap_header(pugi::xml_document& document, const registry::ProviderAuth& auth,
                           soap::SoapVersion version) {
  soap::SoapBinding binding;
  binding.ns = "urn:test";
  binding.operation = "Op";
  binding.version = version;
  const auto envelope = soap::build_request(binding, json::object(), {}, 8, &auth);
  EXPECT_TRUE(envelope.has_value());
  EXPECT_TRUE(document.load_string(envelope.value().c_str())) << envelope.value();
  return document.document_element().child("soap:Header");
}

TEST(ProviderAuth, TheUsernameTokenCarriesADigestTheProviderCanCheck) {
  registry::ProviderAuth auth;
  auth.ws_security =
      registry::ProviderAuth::WsSecurity{"lienthong", "m\u1EADt-kh\u1EA9u", true, true};
  auth.soap_headers = "<a:AuthHeader xmlns:a=\"urn:legacy\"><a:Key>k&amp;1</a:Key></a:AuthHeader>";
  pugi::xml_document document;
  const auto header = soap_header(document, auth, soap::SoapVersion::k11);
  const auto security = header.child("wsse:Security");
  ASSERT_TRUE(security);
  EXPECT_STREQ(security.attribute("soap:mustUnderstand").value(), "1");
  EXPECT_STREQ(security.attribute("xmlns:wsse").value(), std::string(soap::kWsseNamespace).c_str());
  EXPECT_TRUE(security.child("wsu:Timestamp").child("wsu:Expires"));
  const auto token = security.child("wsse:UsernameToken");
  EXPECT_STREQ(token.child_value("wsse:Username"), "lienthong");
  const auto password = token.child("wsse:Password");
  EXPECT_NE(std::string(password.attribute("Type").value()).find("#PasswordDigest"),
            std::string::npos);
  const auto nonce = base64_decode(token.child_value("wsse:Nonce"));
  ASSERT_TRUE(nonce.has_value());
  EXPECT_EQ(nonce->size(), 16u);
  const std::string created = token.child_value("wsu:Created");
  EXPECT_EQ(password.child_value(), base64_encode(sha1(*nonce + created + "m\u1EADt-kh\u1EA9u")));
  EXPECT_EQ(std::string(document.document_element().child("soap:Body").first_child().name()), "Op");
  // The registered block follows, whole and with its own namespace.
  const auto block = header.child("a:AuthHeader");
  ASSERT_TRUE(block);
  EXPECT_STREQ(block.attribute("xmlns:a").value(), "urn:legacy");
  EXPECT_STREQ(block.child_value("a:Key"), "k&1");
}

TEST(ProviderAuth, PasswordTextIsSentAsRegisteredAndSoap12SaysTrue) {
  registry::ProviderAuth auth;
  auth.ws_security = registry::ProviderAuth::WsSecurity{"u", "<&>\"", false, false};
  pugi::xml_document document;
  const auto header = soap_header(document, auth, soap::SoapVersion::k12);
  const auto security = header.child("wsse:Security");
  EXPECT_STREQ(security.attribute("soap:mustUnderstand").value(), "true");
  EXPECT_FALSE(security.child("wsu:Timestamp"));
  const auto password = security.child("wsse:UsernameToken").child("wsse:Password");
  EXPECT_STREQ(password.child_value(), "<&>\"");
  EXPECT_NE(std::string(password.attribute("Type").value()).find("#PasswordText"),
            std::string::npos);
}

}  // namespace
}  // namespace lienthong::adapters

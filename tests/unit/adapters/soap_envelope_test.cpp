// The SOAP envelope around the codec: what a provider's Fault tells the
// consumer.
#include "adapters/soap/soap_envelope.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lienthong/core/utf8.hpp"

namespace lienthong::adapters::soap {
namespace {

std::string fault11(const std::string& reason) {
  return R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>)"
         R"(<soap:Fault><faultcode>soap:Server</faultcode><faultstring>)" +
         reason + "</faultstring></soap:Fault></soap:Body></soap:Envelope>";
}

// Issue 30 (5): a long reason was cut at 512 bytes, in the middle of a
// character, and the consumer read U+FFFD.
TEST(SoapEnvelope, ALongFaultReasonIsCutBetweenCharacters) {
  SoapBinding binding;
  binding.ns = "urn:test";
  binding.operation = "Op";
  // 511 ASCII bytes, then "ễ" (3 bytes) straddling byte 512, then more.
  const std::string reason = std::string(511, 'x') + "\u1EC5" + std::string(100, 'y');
  const auto answer = read_response(binding, fault11(reason), 64);
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().code, ErrorCode::kProviderFault);
  const std::string& detail = answer.error().detail;
  EXPECT_FALSE(find_invalid_utf8(detail).has_value()) << "the cut split a character";
  EXPECT_NE(detail.find(std::string(511, 'x') + "..."), std::string::npos) << detail;
  EXPECT_EQ(detail.find('y'), std::string::npos);
  // A reason that fits is kept whole, Vietnamese included.
  const auto whole = read_response(binding, fault11("Kh\u00F4ng t\u00ECm th\u1EA5y"), 64);
  ASSERT_FALSE(whole.has_value());
  EXPECT_NE(whole.error().detail.find("Kh\u00F4ng t\u00ECm th\u1EA5y"), std::string::npos);
}

// Issue 30 (6): the HTTP header carries people's text RFC 8187-encoded;
// the envelope's header carries it as text.
TEST(SoapEnvelope, TheEnvelopeHeaderCarriesTheOriginalText) {
  SoapBinding binding;
  binding.ns = "urn:test";
  binding.operation = "Op";
  const auto envelope = build_request(
      binding, nlohmann::json::object(),
      {{"X-Lienthong-Purpose", "UTF-8''Tra%20c%E1%BB%A9u"}, {"X-Lienthong-User-Id", "tester"}}, 8);
  ASSERT_TRUE(envelope.has_value());
  EXPECT_NE(envelope.value().find("<lt:purpose>Tra c\u1EE9u</lt:purpose>"), std::string::npos)
      << envelope.value();
  EXPECT_NE(envelope.value().find("<lt:userId>tester</lt:userId>"), std::string::npos);
}

// Issue 30 (1): Axis 1.x answers rpc/encoded with multiRef by default; the
// answer element only points at its content, and the consumer got
// 200 {"getCitizenReturn": ""}.
TEST(SoapEnvelope, AnAnswerThatPointsAtItsContentElsewhereIsRefusedNotEmptied) {
  SoapBinding binding;
  binding.ns = "urn:citizens";
  binding.operation = "getCitizen";
  const std::string axis =
      R"(<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" )"
      R"(xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"><soapenv:Body>)"
      R"(<ns1:getCitizenResponse xmlns:ns1="urn:citizens" )"
      R"(soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">)"
      R"(<getCitizenReturn href="#id0"/></ns1:getCitizenResponse>)"
      R"(<multiRef id="id0" soapenc:root="0"><hoTen>Nguyễn An</hoTen></multiRef>)"
      R"(</soapenv:Body></soapenv:Envelope>)";
  const auto answer = read_response(binding, axis, 64);
  ASSERT_FALSE(answer.has_value()) << answer.value().dump();
  EXPECT_EQ(answer.error().code, ErrorCode::kProviderBadResponse);
  EXPECT_NE(answer.error().detail.find("getCitizenReturn"), std::string::npos);
  EXPECT_NE(answer.error().detail.find("href=\"#id0\""), std::string::npos);
  const std::string soap12 =
      R"(<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" )"
      R"(xmlns:enc="http://www.w3.org/2003/05/soap-encoding"><env:Body>)"
      R"(<m:getCitizenResponse xmlns:m="urn:citizens"><m:return enc:ref="c1"/>)"
      R"(<m:citizen enc:id="c1"><m:hoTen>An</m:hoTen></m:citizen></m:getCitizenResponse>)"
      R"(</env:Body></env:Envelope>)";
  const auto answer12 = read_response(binding, soap12, 64);
  ASSERT_FALSE(answer12.has_value()) << answer12.value().dump();
  EXPECT_EQ(answer12.error().code, ErrorCode::kProviderBadResponse);
  // Attributes that are not references do not stop an answer.
  const std::string literal =
      R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>)"
      R"(<getCitizenResponse xmlns="urn:citizens"><hoTen lang="vi">An</hoTen></getCitizenResponse>)"
      R"(</soap:Body></soap:Envelope>)";
  ASSERT_TRUE(read_response(binding, literal, 64).has_value());
}

}  // namespace
}  // namespace lienthong::adapters::soap

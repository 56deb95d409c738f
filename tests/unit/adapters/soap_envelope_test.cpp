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

}  // namespace
}  // namespace lienthong::adapters::soap

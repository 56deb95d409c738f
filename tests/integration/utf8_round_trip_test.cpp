// Vietnamese text through every part of the hub: JSON Schema validation
// (lengths count characters, not bytes), REST field mapping, the SOAP/XML
// adapter, the audit log and audit search. The hub changes no byte: NFC
// stays NFC and NFD stays NFD (the audit log's hashes are over what the
// systems sent). Text that is not UTF-8 is refused with a clear error, from
// a caller (400, audited) and from a provider (502).
#include <iomanip>
#include <sstream>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "lienthong/admin/registry_file.hpp"
#include "lienthong/core/digest.hpp"

#include "national_demo_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

const std::string kNfc = "Nguyễn Thị Hồng Nhung";
// The same name decomposed (NFD): base letters followed by combining marks.
const std::string kNfd = "Nguye\xCC\x82\xCC\x83n Thi\xCC\xA3 Ho\xCC\x82\xCC\x80ng Nhung";
const std::string kPlace = "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh — số 12/3";

// A SOAP service that answers its operation's children back, and a REST
// endpoint whose JSON answer is not UTF-8.
class EchoSoapService final : public net::HttpHandler {
 public:
  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override {
    if (request.path() == "/rest-latin1")
      co_return net::HttpResponse::with_body(200, "{\"hoTen\": \"Nguy\xEAn\"}");
    pugi::xml_document in;
    in.load_buffer(request.body.data(), request.body.size());
    const auto element = [](const pugi::xml_node& parent, std::string_view local) {
      return parent.find_child([local](const pugi::xml_node& n) {
        const std::string_view name = n.name();
        return n.type() == pugi::node_element &&
               (local.empty() || name.substr(name.find(':') + 1) == local);
      });
    };
    const pugi::xml_node operation = element(element(element(in, "Envelope"), "Body"), "");
    std::string reply = R"(<?xml version="1.0" encoding="UTF-8"?>)"
                        R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)"
                        R"(<s:Body><TraLoiResponse xmlns="urn:test:utf8">)";
    for (const auto& child : operation.children()) {
      if (child.type() != pugi::node_element)
        continue;
      const std::string text = child.child_value();
      std::ostringstream escaped;
      pugi::xml_document holder;
      holder.append_child(child.name()).text().set(text == "BAD" ? "Nguy\xEAn" : text.c_str());
      holder.save(escaped, "", pugi::format_raw | pugi::format_no_declaration);
      reply += escaped.str();
    }
    reply += "</TraLoiResponse></s:Body></s:Envelope>";
    co_return net::HttpResponse::with_body(200, reply, "text/xml; charset=utf-8");
  }
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest, Error e) override {
    co_return net::HttpResponse::with_body(e.http_status(), "");
  }
};

std::string percent_encoded(std::string_view text) {
  std::ostringstream out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
      out << c;
    else
      out << '%' << std::uppercase << std::hex << std::setw(2) << std::setfill('0') << int(c);
  }
  return out.str();
}

class Utf8RoundTrip : public NationalDemoFixture {
 protected:
  void SetUp() override {
    NationalDemoFixture::SetUp();
    soap_ = std::make_unique<LoopbackServer>(std::make_shared<EchoSoapService>());
    const json fragment = {{"systems",
                            {{{"member", "VN/GOV/TEST.01"},
                              {"code", "TEST-SOAP"},
                              {"name", "SOAP"},
                              {"base_url", soap_->url()}}}},
                           {"json_schemas",
                            {{{"name", "ho-ten"},
                              {"version", "1"},
                              {"document",
                               {{"type", "object"},
                                {"required", {"fullName"}},
                                {"properties",
                                 {{"fullName", {{"type", "string"}, {"maxLength", 30}}},
                                  {"address", {{"type", "string"}}}}}}}}}},
                           {"services",
                            {{{"system", kProvider},
                              {"code", "ho-ten"},
                              {"version", "v1"},
                              {"name", "REST"},
                              {"provider_path", "/echo"},
                              {"request_schema", "ho-ten/1"},
                              {"audit_bodies", "full"},
                              {"adapter_config",
                               {{"mapping",
                                 {{"request",
                                   {{{"from", "/fullName"}, {"to", "/hoTen"}},
                                    {{"from", "/address"}, {"to", "/diaChi"}}}},
                                  {"response",
                                   {{{"from", "/received/hoTen"}, {"to", "/fullName"}},
                                    {{"from", "/received/diaChi"}, {"to", "/address"}}}}}}}}},
                             {{"system", "VN/GOV/TEST.01/TEST-SOAP"},
                              {"code", "ho-ten-soap"},
                              {"version", "v1"},
                              {"name", "SOAP"},
                              {"provider_path", "/soap"},
                              {"adapter_kind", "soap"},
                              {"adapter_config",
                               {{"soap",
                                 {{"namespace", "urn:test:utf8"},
                                  {"operation", "TraLoi"},
                                  {"action", "urn:test:utf8#TraLoi"}}}}}},
                             {{"system", "VN/GOV/TEST.01/TEST-SOAP"},
                              {"code", "latin1"},
                              {"version", "v1"},
                              {"name", "REST, not UTF-8"},
                              {"provider_path", "/rest-latin1"}}}},
                           {"agreements", json::array()}};
    json document = fragment;
    for (const char* service : {"ho-ten", "ho-ten-soap", "latin1"}) {
      document["agreements"].push_back(
          {{"consumer", kConsumer},
           {"provider", std::string(service) == "ho-ten" ? kProvider : "VN/GOV/TEST.01/TEST-SOAP"},
           {"service_code", service},
           {"versions", {"v1"}},
           {"purpose", "kiểm thử UTF-8"},
           {"legal_basis", "test"},
           {"status", "approved"}});
    }
    const auto applied = admin::apply_registry(database_->url(), document.dump(), {});
    ASSERT_TRUE(applied.has_value()) << applied.error().detail;
    ASSERT_TRUE(hub_->reload_registry().has_value());
  }

  Answer send(const std::string& service, const std::string& provider, const json& body,
              const std::string& purpose = "kiểm thử UTF-8") {
    return exchange("TEST-CONSUMER", kConsumer, provider, service, body, purpose);
  }

  std::unique_ptr<LoopbackServer> soap_;
};

TEST_F(Utf8RoundTrip, NamesComeBackByteForByteThroughFieldMappingInBothNormalForms) {
  for (const std::string& name : {kNfc, kNfd}) {
    auto answer = send("ho-ten", kProvider, {{"fullName", name}, {"address", kPlace}});
    ASSERT_EQ(answer.status, 200) << answer.raw;
    EXPECT_EQ(answer.body["body"]["fullName"].get<std::string>(), name);
    EXPECT_EQ(answer.body["body"]["address"].get<std::string>(), kPlace);
    // The provider got its own field names, with the same bytes, unescaped.
    const auto received = provider_->received().back();
    EXPECT_NE(received.body.find("\"hoTen\":\"" + name + "\""), std::string::npos) << received.body;
  }
}

TEST_F(Utf8RoundTrip, SchemaLengthsCountCharactersNotBytes) {
  const std::string thirty = "Tôn Nữ Thị Ánh Tuyết, Huế 1990";  // 30 characters, 40 bytes
  ASSERT_EQ(thirty.size(), 40u);
  EXPECT_EQ(send("ho-ten", kProvider, {{"fullName", thirty}}).status, 200);
  auto longer = send("ho-ten", kProvider, {{"fullName", thirty + "ạ"}});
  EXPECT_EQ(longer.status, 400);
  EXPECT_EQ(longer.body["code"], "Client.SchemaViolation");
}

TEST_F(Utf8RoundTrip, TheSoapAdapterCarriesVietnameseBothWays) {
  const json body = {{"hoTen", kNfc}, {"diaChi", kPlace}, {"ghiChu", kNfd + " & <b>"}};
  auto answer = send("ho-ten-soap", "VN/GOV/TEST.01/TEST-SOAP", body);
  ASSERT_EQ(answer.status, 200) << answer.raw;
  EXPECT_EQ(answer.body["body"], body);

  auto latin1 = send("ho-ten-soap", "VN/GOV/TEST.01/TEST-SOAP", {{"hoTen", "BAD"}});
  EXPECT_EQ(latin1.status, 502) << latin1.raw;
  EXPECT_EQ(latin1.body["code"], "Provider.BadResponse");
  EXPECT_NE(latin1.body["detail"].get<std::string>().find("UTF-8"), std::string::npos);
}

TEST_F(Utf8RoundTrip, TheAuditLogKeepsAndFindsTheExactText) {
  const std::string nfc_purpose = "Xác minh nhân thân — " + kNfc;
  const std::string nfd_purpose = "Xác minh nhân thân — " + kNfd;
  ASSERT_EQ(send("ho-ten", kProvider, {{"fullName", kNfc}}, nfc_purpose).status, 200);
  ASSERT_EQ(send("ho-ten", kProvider, {{"fullName", kNfd}}, nfd_purpose).status, 200);

  auto reader = auditor();
  for (const auto& purpose : {nfc_purpose, nfd_purpose}) {
    auto found = AdminClient::json_of(reader.get(
        "/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&purpose=" + percent_encoded(purpose)));
    // The other normal form is other text: the hub does not normalise.
    ASSERT_EQ(found["items"].size(), 1u) << found.dump();
    auto record = found["items"][0];
    EXPECT_EQ(record["purpose"].get<std::string>(), purpose);
    // The kept body (sealed at rest, opened for the auditor) is the request
    // as sent, and its hash is over those bytes.
    const std::string body =
        base64_decode(record["request_body_base64"].get<std::string>()).value_or("");
    const std::string& name = purpose == nfc_purpose ? kNfc : kNfd;
    EXPECT_NE(body.find(name), std::string::npos) << body;
    EXPECT_EQ(sha256_hex(body), record["request_sha256"]);
  }
}

TEST_F(Utf8RoundTrip, TextThatIsNotUtf8IsRefusedWithACleanErrorAndAudited) {
  const int calls = provider_->calls();
  const int records = audit_count();
  TestClient client(hub_->exchange_port(), "TEST-CONSUMER");
  // "Nguyên" in ISO 8859-1, as an old system might send it.
  const std::string latin1 =
      envelope("bad-utf8", kConsumer, kProvider, "ho-ten", "{\"fullName\": \"Nguy\xEAn\"}");
  const auto refused = client.post("/exchange/v1/messages", latin1);
  EXPECT_EQ(refused.status, 400);
  const auto problem = json::parse(refused.body);
  EXPECT_EQ(problem["code"], "Client.BadEnvelope");
  EXPECT_NE(problem["detail"].get<std::string>().find("not valid UTF-8"), std::string::npos)
      << problem.dump();
  EXPECT_EQ(provider_->calls(), calls);
  EXPECT_EQ(audit_count(), records + 1);  // the refusal is on record too

  // From a provider: not passed on.
  auto answer = send("latin1", "VN/GOV/TEST.01/TEST-SOAP", {{"x", 1}});
  EXPECT_EQ(answer.status, 502) << answer.raw;
  EXPECT_EQ(answer.body["code"], "Provider.BadResponse");
}

}  // namespace
}  // namespace lienthong::testing

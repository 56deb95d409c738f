// The SOAP/XML adapter end to end: a consumer sends standard JSON over mTLS,
// the hub maps it, wraps it in a SOAP envelope and calls a real SOAP service
// on loopback (the demo land registry, which parses requests with pugixml),
// and the consumer gets standard JSON back, or the service's Fault as
// Provider.Fault. A second, scripted provider shows what goes on the wire
// and answers hostile XML.
#include <regex>

#include <boost/asio/awaitable.hpp>
#include <pugixml.hpp>

#include "lienthong/demo/demo_provider.hpp"

#include "admin_fixture.hpp"
#include "loopback_server.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

constexpr const char* kLand = "VN/GOV/TEST.01/TEST-LAND";
constexpr const char* kXml = "VN/GOV/TEST.01/TEST-XML";

const json kLandConfig = json::parse(R"({
  "soap": {"namespace": "urn:gov:vn:btnmt:dat-dai:1", "operation": "TraCuuThuaDat",
           "action": "urn:gov:vn:btnmt:dat-dai:1#TraCuuThuaDat", "arrays": ["chuSuDung"]},
  "mapping": {
    "request": [
      {"from": "/communeCode", "to": "/maXa", "required": true},
      {"from": "/mapSheet", "to": "/soTo", "convert": "number-to-string", "required": true},
      {"from": "/parcelNumber", "to": "/soThua", "convert": "number-to-string", "required": true}
    ],
    "response": [
      {"from": "/thuaDat/maXa", "to": "/communeCode", "required": true},
      {"from": "/thuaDat/soTo", "to": "/mapSheet", "convert": "string-to-number"},
      {"from": "/thuaDat/soThua", "to": "/parcelNumber", "convert": "string-to-number"},
      {"from": "/thuaDat/dienTich", "to": "/areaSquareMetres", "convert": "string-to-number"},
      {"from": "/thuaDat/mucDichSuDung", "to": "/landUse"},
      {"from": "/thuaDat/diaChi", "to": "/address"},
      {"from": "/thuaDat/ngayCapGiayChungNhan", "to": "/certificateIssuedOn",
       "convert": "date-dmy-to-iso"},
      {"from": "/thuaDat/chuSuDung", "to": "/owners",
       "each": [{"from": "/hoTen", "to": "/fullName"}, {"from": "/soGiayTo", "to": "/idNumber"}]}
    ]
  }
})");

// A SOAP provider whose answer a test sets; by default it echoes the
// operation element's children back in a <EchoResponse>. It keeps the last
// request it received.
class ScriptedSoapProvider final : public net::HttpHandler {
 public:
  struct Script {
    int status = 0;  // 0: echo
    std::string body;
  };

  void answer_with(int status, std::string body) {
    std::lock_guard lock(mutex_);
    script_ = {status, std::move(body)};
  }
  net::HttpRequest last_request() const {
    std::lock_guard lock(mutex_);
    return last_;
  }
  int calls() const { return calls_.load(); }

  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override {
    ++calls_;
    std::lock_guard lock(mutex_);
    last_ = request;
    if (script_.status != 0)
      co_return net::HttpResponse::with_body(script_.status, script_.body, "text/xml");
    co_return net::HttpResponse::with_body(200, echo(request.body), "application/soap+xml");
  }
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest, Error error) override {
    co_return net::HttpResponse::with_body(error.http_status(), "bad request", "text/plain");
  }

 private:
  static std::string echo(const std::string& request) {
    pugi::xml_document in;
    in.load_string(request.c_str());
    pugi::xml_document out;
    auto body = out.append_child("env:Envelope");
    body.append_attribute("xmlns:env") = "http://www.w3.org/2003/05/soap-envelope";
    auto response = body.append_child("env:Body").append_child("EchoResponse");
    const auto operation = in.document_element().child("soap:Body").first_child();
    for (const auto& child : operation.children())
      response.append_copy(child);
    std::ostringstream text;
    out.save(text, "", pugi::format_raw);
    return text.str();
  }

  mutable std::mutex mutex_;
  Script script_;
  net::HttpRequest last_;
  std::atomic<int> calls_{0};
};

class SoapAdapter : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    land_ = std::make_unique<LoopbackServer>(demo::make_land_registry());
    scripted_ = std::make_shared<ScriptedSoapProvider>();
    xml_ = std::make_unique<LoopbackServer>(scripted_);
    register_provider("TEST-LAND", land_->url(), "parcel", "/land/soap",
                      {{"adapter_kind", "soap"}, {"adapter_config", kLandConfig}});
    register_provider("TEST-XML", xml_->url(), "echo-xml", "/ws",
                      {{"adapter_kind", "soap"},
                       {"adapter_config",
                        {{"soap",
                          {{"version", "1.2"},
                           {"namespace", "urn:test:echo"},
                           {"operation", "Echo"},
                           {"action", "urn:test:echo#Echo"},
                           {"elements", "unqualified"},
                           {"order", {"maXa", "soTo", "soThua"}}}}}}});
  }

  void TearDown() override {
    AdminFixture::TearDown();
    land_.reset();
    xml_.reset();
  }

  ClientResponse send(const std::string& to, const std::string& service, const std::string& id,
                      const json& body) {
    return client().post("/exchange/v1/messages",
                         envelope(id, kConsumer, to, service, body.dump()));
  }

  std::unique_ptr<LoopbackServer> land_;
  std::shared_ptr<ScriptedSoapProvider> scripted_;
  std::unique_ptr<LoopbackServer> xml_;
};

const std::regex kIsoDate(R"(\d{4}-\d{2}-\d{2})");

TEST_F(SoapAdapter, ALegacySoapServiceAnswersTheConsumerInStandardJson) {
  const auto response = send(kLand, "parcel", "land-1",
                             {{"communeCode", "00004"}, {"mapSheet", 12}, {"parcelNumber", 345}});
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = json::parse(response.body)["body"];
  EXPECT_EQ(body["communeCode"], "00004");
  EXPECT_EQ(body["mapSheet"], 12);
  EXPECT_EQ(body["parcelNumber"], 345);
  EXPECT_TRUE(body["areaSquareMetres"].is_number()) << body.dump();
  EXPECT_TRUE(std::regex_match(body["certificateIssuedOn"].get<std::string>(), kIsoDate))
      << body.dump();
  ASSERT_TRUE(body["owners"].is_array()) << "chuSuDung is listed in arrays: " << body.dump();
  ASSERT_FALSE(body["owners"].empty());
  for (const auto& owner : body["owners"]) {
    EXPECT_FALSE(owner["fullName"].get<std::string>().empty());
    EXPECT_EQ(owner["idNumber"].get<std::string>().size(), 12u);
  }
  EXPECT_EQ(body.size(), 8u) << "only what the response mapping names: " << body.dump();
  EXPECT_EQ(audit_summary("land-1"), std::string("200||") + kConsumer + "|" + kLand + "|parcel");
}

TEST_F(SoapAdapter, AFaultReachesTheConsumerAsProviderFaultWithItsReason) {
  // The demo registry has no parcel whose number ends in 0.
  const auto response = send(kLand, "parcel", "land-fault",
                             {{"communeCode", "00004"}, {"mapSheet", 12}, {"parcelNumber", 340}});
  ASSERT_EQ(response.status, 502) << response.body;
  const auto problem = json::parse(response.body);
  EXPECT_EQ(problem["code"], "Provider.Fault");
  EXPECT_NE(problem["detail"].get<std::string>().find("Không tìm thấy thửa đất số 340"),
            std::string::npos)
      << problem.dump();
  EXPECT_NE(problem["detail"].get<std::string>().find("(soap:Client)"), std::string::npos);
  EXPECT_EQ(audit_summary("land-fault"),
            std::string("502|Provider.Fault|") + kConsumer + "|" + kLand + "|parcel");
}

TEST_F(SoapAdapter, TheEnvelopeCarriesTheBindingTheCallerAndVietnameseTextUnchanged) {
  const std::string note = "Thửa đất ở phường Hải Châu, Đà Nẵng <&> \"x\"";
  const auto response = send(kXml, "echo-xml", "xml-1",
                             {{"soThua", "345"},
                              {"maXa", "20194"},
                              {"soTo", "12"},
                              {"ghiChu", note},
                              {"chu", {{{"ten", "Nguyễn Văn A"}}, {{"ten", "Trần Thị B"}}}},
                              {"huy", nullptr}});
  ASSERT_EQ(response.status, 200) << response.body;

  const auto request = scripted_->last_request();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path(), "/ws");
  EXPECT_EQ(request.header("Content-Type"),
            "application/soap+xml; charset=utf-8; action=\"urn:test:echo#Echo\"");
  pugi::xml_document sent;
  ASSERT_TRUE(sent.load_string(request.body.c_str())) << request.body;
  const auto envelope = sent.document_element();
  EXPECT_STREQ(envelope.attribute("xmlns:soap").value(), "http://www.w3.org/2003/05/soap-envelope");
  const auto header = envelope.child("soap:Header");
  EXPECT_STREQ(header.child_value("lt:messageId"), "xml-1");
  EXPECT_STREQ(header.child_value("lt:client"), kConsumer);
  EXPECT_STREQ(header.child_value("lt:purpose"), "integration test");
  const auto operation = envelope.child("soap:Body").child("op:Echo");
  ASSERT_TRUE(operation) << request.body;
  EXPECT_STREQ(operation.attribute("xmlns:op").value(), "urn:test:echo");
  std::vector<std::string> names;
  for (const auto& child : operation.children())
    names.emplace_back(child.name());
  EXPECT_EQ(names,
            (std::vector<std::string>{"maXa", "soTo", "soThua", "chu", "chu", "ghiChu", "huy"}))
      << "the binding's order first, then the rest; arrays repeat their element";
  EXPECT_STREQ(operation.child("huy").attribute("xsi:nil").value(), "true");

  const auto body = json::parse(response.body)["body"];
  EXPECT_EQ(body["ghiChu"], note) << "UTF-8 and XML specials round-trip unchanged";
  EXPECT_EQ(body["chu"], json::parse(R"([{"ten": "Nguyễn Văn A"}, {"ten": "Trần Thị B"}])"));
  EXPECT_EQ(body["huy"], nullptr);
  EXPECT_EQ(body["soThua"], "345") << "XML has no numbers; a response mapping converts";
}

TEST_F(SoapAdapter, ARequestWithNoXmlFormNeverReachesTheProvider) {
  for (const auto& [id, body, pointer] :
       {std::tuple{"bad-name", json{{"1st", "x"}}, "/1st"},
        std::tuple{"bad-char", json{{"ghiChu", std::string("a\x01b")}}, "/ghiChu"},
        std::tuple{"bad-array", json{{"list", {{1, 2}}}}, "/list/0"}}) {
    const auto response = send(kXml, "echo-xml", id, body);
    EXPECT_EQ(response.status, 400) << response.body;
    const auto problem = json::parse(response.body);
    EXPECT_EQ(problem["code"], "Client.MappingFailed") << id;
    EXPECT_EQ(problem["detail"].get<std::string>().rfind(pointer, 0), 0u) << problem.dump();
  }
  EXPECT_EQ(scripted_->calls(), 0);
}

TEST_F(SoapAdapter, HostileOrBrokenXmlIsRefusedAndNothingOfItIsPassedOn) {
  const std::string laughs =
      R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>)"
      R"(<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><R><x>&lol2;</x></R></soap:Body></soap:Envelope>)";
  const std::string external =
      R"(<?xml version="1.0"?><!DOCTYPE r [<!ENTITY file SYSTEM "file:///etc/passwd">]>)"
      R"(<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><R><x>&file;</x></R></soap:Body></soap:Envelope>)";
  const std::string fault12 =
      R"(<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>)"
      R"(<env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="vi">Hệ thống đang bảo trì</env:Text></env:Reason>)"
      R"(</env:Fault></env:Body></env:Envelope>)";
  const std::string fault11_with_detail =
      R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>)"
      R"(<soap:Fault><faultcode>soap:Client</faultcode><faultstring>Sai mã xã</faultstring>)"
      R"(<detail><maLoi xmlns="urn:x">E-017</maLoi></detail></soap:Fault></soap:Body></soap:Envelope>)";
  struct Case {
    const char* id;
    int status;
    std::string body;
    const char* code;
    const char* detail;
  };
  const Case cases[] = {
      {"laughs", 200, laughs, "Provider.BadResponse", "document type"},
      {"external", 200, external, "Provider.BadResponse", "document type"},
      {"unclosed", 200, "<soap:Envelope><soap:Body>", "Provider.BadResponse", "not well-formed"},
      {"json", 200, R"({"not": "xml"})", "Provider.BadResponse", "not well-formed"},
      {"not-soap", 200, "<html><body>hi</body></html>", "Provider.BadResponse",
       "not a SOAP envelope"},
      {"fault12", 500, fault12, "Provider.Fault", "Hệ thống đang bảo trì (env:Receiver)"},
      // Some stacks answer a Fault with HTTP 200, and with a detail element.
      {"fault11-200", 200, fault11_with_detail, "Provider.Fault", "Sai mã xã (soap:Client)"},
      {"html-503", 503, "<html>maintenance</html>", "Provider.Error", "HTTP 503"},
  };
  for (const auto& c : cases) {
    scripted_->answer_with(c.status, c.body);
    const auto response = send(kXml, "echo-xml", c.id, {{"maXa", "1"}});
    EXPECT_EQ(response.status, 502) << c.id << ": " << response.body;
    const auto problem = json::parse(response.body);
    EXPECT_EQ(problem["code"], c.code) << c.id;
    EXPECT_NE(problem["detail"].get<std::string>().find(c.detail), std::string::npos)
        << c.id << ": " << problem.dump();
    EXPECT_EQ(response.body.find("lol"), std::string::npos) << c.id;
    EXPECT_EQ(response.body.find("root:"), std::string::npos) << c.id;
    EXPECT_EQ(audit_summary(c.id),
              std::string("502|") + c.code + "|" + kConsumer + "|" + kXml + "|echo-xml");
  }
}

// Issue 30 (2, 3, 7): a legacy answer's attribute, xsi:type and empty list
// reach the consumer in the documented convention (they were "", nothing
// and a missing field); a request's attribute and common-types namespace
// reach the provider.
TEST_F(SoapAdapter, LegacyShapesTravelBothWaysInTheDocumentedConvention) {
  register_provider("TEST-LEGACY", xml_->url(), "legacy", "/ws",
                    {{"adapter_kind", "soap"},
                     {"adapter_config",
                      {{"soap",
                        {{"namespace", "urn:test:legacy"},
                         {"operation", "TraCuu"},
                         {"namespaces", {{"diaChi", "urn:test:common"}}},
                         {"arrays", {"/ketQua/hoSo"}}}}}}});
  scripted_->answer_with(200,
                         R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" )"
                         R"(xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><s:Body>)"
                         R"(<TraCuuResponse xmlns="urn:test:legacy" xmlns:gt="urn:test:giayto">)"
                         R"(<trangThai ma="01">Đã duyệt</trangThai>)"
                         R"(<giayTo xsi:type="gt:CanCuoc"><so>001089012345</so></giayTo><ketQua/>)"
                         R"(</TraCuuResponse></s:Body></s:Envelope>)");
  const auto response = send(std::string(kProviderMember) + "/TEST-LEGACY", "legacy", "legacy-1",
                             json::parse(R"({"diaChi": {"tinh": "Đà Nẵng"},
                           "yeuCau": {"@loai": "CCCD", "#text": "001089012345"}})"));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body)["body"], json::parse(R"({
      "trangThai": {"@ma": "01", "#text": "Đã duyệt"},
      "giayTo": {"@xsi:type": "{urn:test:giayto}CanCuoc", "so": "001089012345"},
      "ketQua": {"hoSo": []}})"));

  pugi::xml_document sent;
  ASSERT_TRUE(sent.load_string(scripted_->last_request().body.c_str()));
  const auto operation = sent.document_element().child("soap:Body").child("TraCuu");
  ASSERT_TRUE(operation) << scripted_->last_request().body;
  EXPECT_STREQ(operation.attribute("xmlns").value(), "urn:test:legacy");
  EXPECT_STREQ(operation.child("diaChi").attribute("xmlns").value(), "urn:test:common");
  EXPECT_STREQ(operation.child("diaChi").child_value("tinh"), "Đà Nẵng");
  EXPECT_STREQ(operation.child("yeuCau").attribute("loai").value(), "CCCD");
  EXPECT_STREQ(operation.child("yeuCau").child_value(), "001089012345");
}

TEST_F(SoapAdapter, TheAdminApiRefusesABindingThatCannotBeCalled) {
  auto admin = hub_admin();
  for (const auto& [soap, field] :
       {std::pair{json{{"namespace", "urn:x"}, {"operation", "Op"}, {"version", "2.0"}},
                  "soap/version"},
        std::pair{json{{"operation", "Op"}}, "soap/namespace"},
        std::pair{json{{"namespace", "urn:x"}, {"operation", "1Op"}}, "soap/operation"},
        std::pair{json{{"namespace", "urn:x"}, {"operation", "Op"}, {"colour", "blue"}},
                  "soap/colour"}}) {
    const auto refused = admin.post("/admin/v1/services", {{"system", kLand},
                                                           {"code", "parcel"},
                                                           {"version", "v2"},
                                                           {"name", "parcel v2"},
                                                           {"provider_path", "/land/soap"},
                                                           {"adapter_kind", "soap"},
                                                           {"adapter_config", {{"soap", soap}}}});
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(refused.body.find(field), std::string::npos) << refused.body;
  }
  const auto unbound = admin.post("/admin/v1/services", {{"system", kLand},
                                                         {"code", "parcel"},
                                                         {"version", "v2"},
                                                         {"name", "parcel v2"},
                                                         {"provider_path", "/land/soap"},
                                                         {"adapter_kind", "soap"}});
  EXPECT_EQ(unbound.status, 400) << unbound.body;
  EXPECT_NE(unbound.body.find("adapter_config.soap"), std::string::npos) << unbound.body;
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM services WHERE version = 'v2'"), "0");
}

}  // namespace
}  // namespace lienthong::testing

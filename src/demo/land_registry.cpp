// The natural-resources ministry's land registry: a legacy SOAP 1.1 service,
// the kind many agencies still run. One operation, TraCuuThuaDat (parcel
// lookup by commune code, map sheet and parcel number), with the names,
// dd/MM/yyyy dates and faults of such a service. It parses requests with
// pugixml, as a real provider would, and answers Faults for what it refuses.
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "lienthong/demo/demo_provider.hpp"

#include "synthetic.hpp"

namespace lienthong::demo {
namespace {

using detail::all_digits;
using detail::Synthetic;

constexpr const char* kEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr const char* kLandNs = "urn:gov:vn:btnmt:dat-dai:1";
constexpr std::string_view kAction = "\"urn:gov:vn:btnmt:dat-dai:1#TraCuuThuaDat\"";
constexpr std::string_view kPath = "/land/soap";

std::string_view local(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view name) {
  for (const auto& node : parent.children()) {
    if (node.type() == pugi::node_element && local(node) == name)
      return node;
  }
  return {};
}

pugi::xml_node new_envelope(pugi::xml_document& document) {
  auto declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  auto envelope = document.append_child("soap:Envelope");
  envelope.append_attribute("xmlns:soap") = kEnvelopeNs;
  return envelope.append_child("soap:Body");
}

net::HttpResponse xml_response(int status, const pugi::xml_document& document) {
  std::ostringstream out;
  document.save(out, "", pugi::format_raw, pugi::encoding_utf8);
  return net::HttpResponse::with_body(status, out.str(), "text/xml; charset=utf-8");
}

// SOAP 1.1 faults travel with HTTP 500.
net::HttpResponse fault(const char* code, const std::string& reason) {
  pugi::xml_document document;
  auto fault = new_envelope(document).append_child("soap:Fault");
  fault.append_child("faultcode").text().set(code);
  fault.append_child("faultstring").text().set(reason.c_str());
  return xml_response(500, document);
}

struct ParcelKey {
  std::string commune;  // 5-digit commune (xã/phường) code
  std::string sheet;    // map sheet (tờ bản đồ) number
  std::string parcel;   // parcel (thửa) number on the sheet
};

bool short_number(std::string_view text) {
  return !text.empty() && text.size() <= 4 && all_digits(text) && text != "0";
}

std::string two_digits(std::uint32_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "%02u", value % 100);
  return text;
}

// Parcels whose number ends in 0 do not exist, so the demo can show a fault.
// Land users are citizens of the population registry's dataset.
net::HttpResponse lookup(const ParcelKey& key, const Citizens& citizens) {
  if (key.parcel.back() == '0') {
    return fault("soap:Client", "Không tìm thấy thửa đất số " + key.parcel + ", tờ bản đồ số " +
                                    key.sheet + " tại xã " + key.commune);
  }
  Synthetic random(key.commune + "/" + key.sheet + "/" + key.parcel);
  static constexpr std::string_view kUses[] = {"ODT", "ONT", "LUC", "CLN", "TMD"};
  const auto& province =
      detail::provinces()[random.below(static_cast<std::uint32_t>(detail::provinces().size()))];

  pugi::xml_document document;
  auto answer = new_envelope(document).append_child("TraCuuThuaDatResponse");
  answer.append_attribute("xmlns") = kLandNs;
  auto parcel = answer.append_child("thuaDat");
  parcel.append_child("maXa").text().set(key.commune.c_str());
  parcel.append_child("soTo").text().set(key.sheet.c_str());
  parcel.append_child("soThua").text().set(key.parcel.c_str());
  parcel.append_child("dienTich")
      .text()
      .set((std::to_string(40 + random.below(900)) + "." + std::to_string(random.below(10)))
               .c_str());
  parcel.append_child("mucDichSuDung").text().set(std::string(random.pick(kUses)).c_str());
  parcel.append_child("diaChi").text().set(detail::street_address(random, province).c_str());
  const std::string issued = two_digits(1 + random.below(28)) + "/" +
                             two_digits(1 + random.below(12)) + "/" +
                             std::to_string(2005 + random.below(20));
  parcel.append_child("ngayCapGiayChungNhan").text().set(issued.c_str());
  const int owners = 1 + static_cast<int>(random.below(2));
  for (int i = 0; i < owners; ++i) {
    const auto person = citizens.record(random.below(citizens.size()));
    auto owner = parcel.append_child("chuSuDung");
    owner.append_child("hoTen").text().set(person["fullName"].get<std::string>().c_str());
    owner.append_child("soGiayTo").text().set(person["idNumber"].get<std::string>().c_str());
  }
  return xml_response(200, document);
}

class LandRegistry final : public net::HttpHandler {
 public:
  explicit LandRegistry(const DatasetOptions& options) : citizens_(options) {}

  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override {
    co_return answer(request);
  }
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest, Error error) override {
    co_return fault("soap:Client", error.detail);
  }

 private:
  net::HttpResponse answer(const net::HttpRequest& request) const {
    if (request.path() != kPath)
      return net::HttpResponse::with_body(404, "no such endpoint", "text/plain");
    if (request.method != "POST")
      return fault("soap:Client", "SOAP requests are POSTed");
    if (request.header("SOAPAction") != kAction)
      return fault("soap:Client", "Unknown SOAPAction; expected " + std::string(kAction));
    pugi::xml_document document;
    // Without parse_doctype a DOCTYPE is skipped and its entities never defined.
    if (!document.load_buffer(request.body.data(), request.body.size()))
      return fault("soap:Client", "The request is not well-formed XML");
    const auto body = child(child(document, "Envelope"), "Body");
    const auto operation = child(body, "TraCuuThuaDat");
    if (!operation)
      return fault("soap:Client", "Expected a TraCuuThuaDat element in the SOAP Body");
    ParcelKey key{operation.child_value("maXa"), operation.child_value("soTo"),
                  operation.child_value("soThua")};
    if (key.commune.size() != 5 || !all_digits(key.commune))
      return fault("soap:Client", "Dữ liệu không hợp lệ: maXa phải gồm 5 chữ số");
    if (!short_number(key.sheet) || !short_number(key.parcel))
      return fault("soap:Client", "Dữ liệu không hợp lệ: soTo và soThua là số từ 1 đến 9999");
    return lookup(key, citizens_);
  }

  Citizens citizens_;
};

}  // namespace

std::shared_ptr<net::HttpHandler> make_land_registry(const DemoOptions& options) {
  return std::make_shared<LandRegistry>(options.data);
}

}  // namespace lienthong::demo

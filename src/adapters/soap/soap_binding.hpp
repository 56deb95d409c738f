#pragma once
// How one service's SOAP provider wants to be called, read from the
// service's adapter_config.soap:
//   {"version": "1.1" | "1.2",              default "1.1"
//    "namespace": "urn:...",                the operation's namespace (required)
//    "operation": "TraCuuThuaDat",          the request element (required)
//    "action": "urn:...#TraCuuThuaDat",     SOAPAction / action parameter, default none
//    "elements": "qualified" | "unqualified",  children in the namespace or not (default qualified)
//    "order": ["soTo", "soThua"],           element order where the provider's XSD has a sequence
//    "namespaces": {"diaChi": "urn:..."},   request elements (and what they hold) in another
//                                           namespace, e.g. a shared "common types" schema
//    "arrays": ["thua", "/danhSach/hoSo"]}  answer elements that are lists even when there is
//                                           one: by name wherever they appear, or by their path
//                                           below the ...Response element, where zero
//                                           occurrences give [] (xml_codec.hpp)

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::adapters::soap {

enum class SoapVersion { k11, k12 };

struct SoapBinding {
  SoapVersion version = SoapVersion::k11;
  std::string ns;
  std::string operation;
  std::string action;
  bool qualified = true;
  std::vector<std::string> order;
  std::map<std::string, std::string, std::less<>> namespaces;
  std::set<std::string, std::less<>> arrays;

  // From the service's whole adapter_config; Client.InvalidInput naming the
  // field when the "soap" section is missing or wrong.
  static Result<SoapBinding> from_config(const nlohmann::json& adapter_config);
};

// Empty when `soap` (the section itself) is a valid binding; else "soap/<field>: why".
std::string check_soap_binding(const nlohmann::json& soap);

}  // namespace lienthong::adapters::soap

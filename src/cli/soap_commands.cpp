// lienthong soap import-wsdl: a SOAP binding proposed from a WSDL, printed
// for an administrator to review and register (nothing is changed).
#include <iostream>

#include <nlohmann/json.hpp>

#include "lienthong/adapters/wsdl_import.hpp"

#include "commands.hpp"

namespace lienthong::cli {

int run_soap_import_wsdl(const std::string& file) {
  auto proposals = adapters::soap::import_wsdl(file);
  if (!proposals.has_value()) {
    std::cerr << "lienthong: " << proposals.error().detail << "\n";
    return 2;
  }
  std::cout << proposals.value().dump(2) << "\n";
  return 0;
}

}  // namespace lienthong::cli

#pragma once
// Demo provider systems serving the synthetic national datasets
// (lienthong/demo/datasets.hpp), standing in for real ministry systems in
// the demo, the tests and the benchmarks. Plain HTTP on loopback.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lienthong/demo/datasets.hpp"
#include "lienthong/net/http_handler.hpp"

namespace lienthong::demo {

struct DemoOptions {
  DatasetOptions data;                   // the same seed gives the same people and enterprises
  std::filesystem::path claims_journal;  // empty: the claims system forgets on restart
};

// The public-security ministry's population registry:
// POST /citizens/lookup {"idNumber": "..."} -> the standard citizen record.
std::shared_ptr<net::HttpHandler> make_population_registry(const DemoOptions& options = {});

// The planning ministry's business registry, an older REST system with its own
// field names: POST /doanh-nghiep/tra-cuu {"maSoThue": "..."} ->
// {"tenDoanhNghiep", "ngayDangKyLanDau": "dd/MM/yyyy", "tinhTrangHoatDong", ...}.
std::shared_ptr<net::HttpHandler> make_business_registry(const DemoOptions& options = {});

// The finance ministry's tax system: POST /tax/v2/taxpayers/status
// {"taxCode": "..."} -> the standard tax record of the same enterprises.
std::shared_ptr<net::HttpHandler> make_tax_system(const DemoOptions& options = {});

// The natural-resources ministry's land registry, a SOAP 1.1 service:
// POST /land/soap, SOAPAction "urn:gov:vn:btnmt:dat-dai:1#TraCuuThuaDat",
// TraCuuThuaDat {maXa, soTo, soThua} -> TraCuuThuaDatResponse/thuaDat.
std::shared_ptr<net::HttpHandler> make_land_registry(const DemoOptions& options = {});

// The social-insurance agency's claims system: POST /giam-dinh/ho-so with a
// health-insurance claim -> a receipt; a claim arriving again gets the same
// receipt and takes effect once.
std::shared_ptr<net::HttpHandler> make_claims_system(const DemoOptions& options = {});

// Names accepted by make_demo_system: population, business, tax, land, claims.
std::vector<std::string> demo_system_names();
std::shared_ptr<net::HttpHandler> make_demo_system(const std::string& name,
                                                   const DemoOptions& options = {});

}  // namespace lienthong::demo

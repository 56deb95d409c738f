#pragma once
// Demo provider systems with deterministic synthetic data, standing in for
// real ministry systems in the demo and in tests. Plain HTTP on loopback.

#include <memory>
#include <string>
#include <vector>

#include "lienthong/net/http_handler.hpp"

namespace lienthong::demo {

// The national population registry: POST /citizens/lookup {"idNumber": "001089012345"}.
std::shared_ptr<net::HttpHandler> make_population_registry();

// The national business registry, an older REST system with its own field
// names: POST /doanh-nghiep/tra-cuu {"maSoThue": "0101234567"} ->
// {"tenDoanhNghiep", "ngayDangKyLanDau": "dd/MM/yyyy", "tinhTrangHoatDong", ...}.
std::shared_ptr<net::HttpHandler> make_business_registry();

// The natural-resources ministry's land registry, a SOAP 1.1 service:
// POST /land/soap, SOAPAction "urn:gov:vn:btnmt:dat-dai:1#TraCuuThuaDat",
// TraCuuThuaDat {maXa, soTo, soThua} -> TraCuuThuaDatResponse/thuaDat.
std::shared_ptr<net::HttpHandler> make_land_registry();

// Names accepted by make_demo_system: "population", "business", "land".
std::vector<std::string> demo_system_names();
std::shared_ptr<net::HttpHandler> make_demo_system(const std::string& name);

}  // namespace lienthong::demo

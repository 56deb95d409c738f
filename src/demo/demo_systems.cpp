#include <cstdio>

#include <nlohmann/json.hpp>

#include "lienthong/demo/demo_provider.hpp"

#include "lookup_handler.hpp"
#include "synthetic.hpp"

namespace lienthong::demo {
namespace {

using detail::all_digits;
using detail::Synthetic;

// Citizen ID numbers (CCCD) have 12 digits: province of birth (3), sex and
// century (1: 0/1 male/female 1900s, 2/3 male/female 2000s), birth year (2), serial (6).
bool valid_citizen_id(std::string_view id) {
  return id.size() == 12 && all_digits(id) && id[3] <= '3';
}

std::optional<nlohmann::json> find_citizen(const std::string& id) {
  const auto* province = detail::province_by_citizen_code(id.substr(0, 3));
  if (province == nullptr)
    return std::nullopt;  // no such province: no such citizen
  Synthetic random(id);
  const int century_digit = id[3] - '0';
  const bool female = century_digit % 2 == 1;
  const int year = (century_digit < 2 ? 1900 : 2000) + std::stoi(id.substr(4, 2));
  char birth[32];
  std::snprintf(birth, sizeof birth, "%04d-%02u-%02u", year, 1 + random.below(12),
                1 + random.below(28));
  return nlohmann::json{
      {"idNumber", id},
      {"fullName", detail::vietnamese_name(random, female)},
      {"dateOfBirth", birth},
      {"sex", female ? "female" : "male"},
      {"nationality", "VN"},
      {"placeOfOrigin",
       {{"provinceCode", province->citizen_code}, {"provinceName", province->name}}},
      {"permanentAddress", detail::street_address(random, *province)},
  };
}

// Tax codes have 10 digits (enterprise) or 13 (branch: 10 + "-" omitted, 3 digits);
// the first two name the province that issued them.
bool valid_tax_code(std::string_view code) {
  return (code.size() == 10 || code.size() == 13) && all_digits(code);
}

std::optional<nlohmann::json> find_enterprise(const std::string& code) {
  const auto* province = detail::province_by_tax_prefix(code.substr(0, 2));
  if (province == nullptr)
    return std::nullopt;
  Synthetic random(code);
  static constexpr std::string_view kKinds[] = {"Công ty TNHH", "Công ty Cổ phần",
                                                "Doanh nghiệp tư nhân"};
  static constexpr std::string_view kTrades[] = {"Thương mại", "Xây dựng", "Công nghệ",
                                                 "Vận tải",    "Nông sản", "Dược phẩm"};
  static constexpr std::string_view kBrands[] = {"Sao Mai",  "Hồng Hà",   "Phú Thịnh",
                                                 "An Khang", "Việt Tiến", "Thành Công"};
  const std::string name = std::string(random.pick(kKinds)) + " " +
                           std::string(random.pick(kTrades)) + " " +
                           std::string(random.pick(kBrands));
  // The business registry is an older system: Vietnamese field names,
  // dd/MM/yyyy dates, its own status codes. The hub's REST adapter maps it
  // to the standard enterprise record (config/demo/registry.json).
  char registered[32];
  std::snprintf(registered, sizeof registered, "%02u/%02u/%04u", 1 + random.below(28),
                1 + random.below(12), 2000 + random.below(25));
  return nlohmann::json{
      {"maSoThue", code},
      {"tenDoanhNghiep", name},
      {"nguoiDaiDienTheoPhapLuat", detail::vietnamese_name(random, random.below(2) == 1)},
      {"ngayDangKyLanDau", registered},
      {"tinhTrangHoatDong", random.below(10) == 0 ? "TAM_NGUNG" : "DANG_HOAT_DONG"},
      {"diaChiTruSo",
       {{"diaChi", detail::street_address(random, *province)}, {"tinhThanh", province->name}}},
  };
}

}  // namespace

std::shared_ptr<net::HttpHandler> make_population_registry() {
  return std::make_shared<detail::LookupHandler>("/citizens/lookup", "idNumber", valid_citizen_id,
                                                 find_citizen);
}

std::shared_ptr<net::HttpHandler> make_business_registry() {
  return std::make_shared<detail::LookupHandler>("/doanh-nghiep/tra-cuu", "maSoThue",
                                                 valid_tax_code, find_enterprise);
}

std::vector<std::string> demo_system_names() {
  return {"population", "business", "land"};
}

std::shared_ptr<net::HttpHandler> make_demo_system(const std::string& name) {
  if (name == "population")
    return make_population_registry();
  if (name == "business")
    return make_business_registry();
  if (name == "land")
    return make_land_registry();
  return nullptr;
}

}  // namespace lienthong::demo

// The demo's national datasets. Every record is drawn from a generator seeded
// with (dataset, seed, index); keys carry a permuted serial, so a key leads
// back to one index, whose record is drawn again and compared with the key.
#include "lienthong/demo/datasets.hpp"

#include <array>
#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "synthetic.hpp"

namespace lienthong::demo {
namespace {

using detail::padded;
using detail::Province;
using detail::SerialPermutation;
using detail::Synthetic;
using nlohmann::json;

constexpr std::uint64_t kEnterpriseSeedSalt = 0x5bd1e995;

Synthetic draw(std::string_view dataset, std::uint64_t seed, std::uint64_t index) {
  return Synthetic(std::string(dataset) + "/" + std::to_string(seed) + "/" + std::to_string(index));
}

void check_options(const DatasetOptions& options) {
  if (options.size == 0 || options.size > SerialPermutation::kModulus)
    throw std::invalid_argument("dataset size must be 1 to 1,000,000");
}

std::string iso_date(int year, unsigned month, unsigned day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", year, month, day);
  return text;
}

// What the ID number says about a citizen, drawn first so the key and the record agree.
struct CitizenBasics {
  const Province* province;
  bool female;
  int birth_year;
};

CitizenBasics draw_citizen_basics(Synthetic& random) {
  const auto all = detail::provinces();
  const Province& province = all[random.below(static_cast<std::uint32_t>(all.size()))];
  const bool female = random.below(2) == 1;
  const int year = 1940 + static_cast<int>(random.below(81));
  return {&province, female, year};
}

std::string citizen_id(const CitizenBasics& basics, std::uint32_t serial) {
  const int sex_century = (basics.birth_year >= 2000 ? 2 : 0) + (basics.female ? 1 : 0);
  return std::string(basics.province->citizen_code) + std::to_string(sex_century) +
         padded(static_cast<std::uint64_t>(basics.birth_year % 100), 2) + padded(serial, 6);
}

std::optional<std::uint32_t> parse_serial(std::string_view digits) {
  if (!detail::all_digits(digits))
    return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : digits)
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  return value;
}

// The enterprise as both the business registry and the tax system know it.
struct Enterprise {
  const Province* province;
  std::string name;
  std::string representative;
  int registered_year;
  unsigned registered_month, registered_day;
  bool suspended;
  std::string street;
};

Enterprise draw_enterprise(Synthetic& random) {
  static constexpr std::string_view kKinds[] = {"Công ty TNHH", "Công ty Cổ phần",
                                                "Doanh nghiệp tư nhân"};
  static constexpr std::string_view kTrades[] = {"Thương mại", "Xây dựng", "Công nghệ",
                                                 "Vận tải",    "Nông sản", "Dược phẩm"};
  static constexpr std::string_view kBrands[] = {"Sao Mai",  "Hồng Hà",   "Phú Thịnh",
                                                 "An Khang", "Việt Tiến", "Thành Công"};
  const auto all = detail::provinces();
  Enterprise e;
  e.province = &all[random.below(static_cast<std::uint32_t>(all.size()))];
  e.name = std::string(random.pick(kKinds)) + " " + std::string(random.pick(kTrades)) + " " +
           std::string(random.pick(kBrands));
  e.representative = detail::vietnamese_name(random, random.below(2) == 1);
  e.registered_day = 1 + random.below(28);
  e.registered_month = 1 + random.below(12);
  e.registered_year = 2000 + static_cast<int>(random.below(25));
  e.suspended = random.below(10) == 0;
  e.street = detail::street(random);
  return e;
}

// Weighted mod-11 check digit over the first nine digits.
char check_digit(std::string_view nine) {
  static constexpr std::array<int, 9> kWeights{31, 29, 23, 19, 17, 13, 7, 5, 3};
  int sum = 0;
  for (std::size_t i = 0; i < kWeights.size(); ++i)
    sum += (nine[i] - '0') * kWeights[i];
  return static_cast<char>('0' + (sum % 11) % 10);
}

// Enterprise `index` and its tax code: province (2), a digit kept by the tax
// office (1), serial (6), check digit (1). Drawn once per record.
struct DrawnEnterprise {
  Enterprise enterprise;
  std::string tax_code;
};

DrawnEnterprise drawn_enterprise(const DatasetOptions& options, std::uint32_t index) {
  Synthetic random = draw("enterprise", options.seed, index);
  DrawnEnterprise d{draw_enterprise(random), {}};
  const std::uint32_t serial = SerialPermutation(options.seed ^ kEnterpriseSeedSalt).forward(index);
  d.tax_code = std::string(d.enterprise.province->tax_prefix) + std::to_string(random.below(10)) +
               padded(serial, 6);
  d.tax_code.push_back(check_digit(d.tax_code));
  return d;
}

}  // namespace

Citizens::Citizens(DatasetOptions options) : options_(options) {
  check_options(options_);
}

std::string Citizens::id_number(std::uint32_t index) const {
  Synthetic random = draw("citizen", options_.seed, index);
  return citizen_id(draw_citizen_basics(random), SerialPermutation(options_.seed).forward(index));
}

json Citizens::record(std::uint32_t index) const {
  Synthetic random = draw("citizen", options_.seed, index);
  const CitizenBasics basics = draw_citizen_basics(random);
  const Province& home = *basics.province;
  // About 85 % of Vietnamese citizens are Kinh; the rest from a few of the 53 other groups.
  static constexpr std::string_view kMinorities[] = {"Tày", "Thái", "Mường",  "Khmer",
                                                     "Hoa", "Nùng", "H'Mông", "Dao"};
  const std::string_view ethnicity = random.below(100) < 85 ? "Kinh" : random.pick(kMinorities);
  const unsigned month = 1 + random.below(12);
  const unsigned day = 1 + random.below(28);
  std::string name = detail::vietnamese_name(random, basics.female);
  const auto& all = detail::provinces();
  // Most people live where they were born.
  const Province& lives =
      random.below(4) == 0 ? all[random.below(static_cast<std::uint32_t>(all.size()))] : home;
  return json{
      {"idNumber", citizen_id(basics, SerialPermutation(options_.seed).forward(index))},
      {"fullName", std::move(name)},
      {"dateOfBirth", iso_date(basics.birth_year, month, day)},
      {"sex", basics.female ? "female" : "male"},
      {"nationality", "VN"},
      {"ethnicity", ethnicity},
      {"placeOfOrigin", {{"provinceCode", home.code()}, {"provinceName", home.name}}},
      {"permanentAddress",
       {{"street", detail::street(random)},
        {"districtCode", detail::district_code(random, lives)},
        {"provinceCode", lives.code()},
        {"provinceName", lives.name}}},
  };
}

std::optional<std::uint32_t> Citizens::find(std::string_view id) const {
  if (id.size() != 12)
    return std::nullopt;
  const auto serial = parse_serial(id.substr(6));
  if (!serial || !detail::all_digits(id))
    return std::nullopt;
  const std::uint32_t index = SerialPermutation(options_.seed).inverse(*serial);
  if (index >= options_.size || id_number(index) != id)
    return std::nullopt;
  return index;
}

Enterprises::Enterprises(DatasetOptions options) : options_(options) {
  check_options(options_);
}

std::string Enterprises::tax_code(std::uint32_t index) const {
  return drawn_enterprise(options_, index).tax_code;
}

json Enterprises::registry_record(std::uint32_t index) const {
  const auto [e, code] = drawn_enterprise(options_, index);
  char registered[16];
  std::snprintf(registered, sizeof registered, "%02u/%02u/%04d", e.registered_day,
                e.registered_month, e.registered_year);
  return json{
      {"maSoThue", code},
      {"tenDoanhNghiep", e.name},
      {"nguoiDaiDienTheoPhapLuat", e.representative},
      {"ngayDangKyLanDau", registered},
      {"tinhTrangHoatDong", e.suspended ? "TAM_NGUNG" : "DANG_HOAT_DONG"},
      {"diaChiTruSo",
       {{"diaChi", e.street + ", " + std::string(e.province->name)},
        {"maTinh", e.province->code()},
        {"tinhThanh", e.province->name}}},
  };
}

json Enterprises::tax_record(std::uint32_t index) const {
  const auto [e, code] = drawn_enterprise(options_, index);
  Synthetic taxes = draw("tax", options_.seed, index);
  const bool in_debt = taxes.below(5) == 0;
  return json{
      {"taxCode", code},
      {"taxpayerName", e.name},
      {"taxOffice", "Thuế " + std::string(e.province->name)},
      {"status", e.suspended ? "suspended" : "active"},
      {"registeredOn", iso_date(e.registered_year, e.registered_month, e.registered_day)},
      {"lastFiledPeriod", e.suspended ? "2025-Q4" : "2026-Q3"},
      {"outstandingDebtVnd", in_debt ? 100'000 * (1 + taxes.below(5000)) : 0},
  };
}

std::optional<std::uint32_t> Enterprises::find(std::string_view code) const {
  if (code.size() != 10 || !detail::all_digits(code))
    return std::nullopt;  // branches (13 digits) are not in the demo dataset
  const auto serial = parse_serial(code.substr(3, 6));
  const std::uint32_t index =
      SerialPermutation(options_.seed ^ kEnterpriseSeedSalt).inverse(serial.value_or(0));
  if (index >= options_.size || tax_code(index) != code)
    return std::nullopt;
  return index;
}

bool valid_tax_code(std::string_view code) {
  if (!detail::all_digits(code) || (code.size() != 10 && code.size() != 13))
    return false;
  return code[9] == check_digit(code.substr(0, 9));
}

json health_insurance_claim(const Citizens& citizens, std::string_view facility_code,
                            std::uint64_t index) {
  struct Item {
    std::string_view code, name;
    std::int64_t price;
  };
  static constexpr Item kItems[] = {
      {"KB.01", "Khám bệnh đa khoa", 38'700},
      {"XN.12", "Tổng phân tích tế bào máu ngoại vi", 46'200},
      {"XN.27", "Định lượng Glucose máu", 21'500},
      {"CĐHA.03", "Chụp X-quang ngực thẳng", 65'400},
      {"SA.01", "Siêu âm ổ bụng", 43'900},
      {"T.0451", "Paracetamol 500 mg (viên)", 350},
      {"T.1127", "Amoxicilin 500 mg (viên)", 1'020},
      {"GB.01", "Ngày giường bệnh nội khoa", 199'100},
  };
  static constexpr std::string_view kDiagnoses[] = {"J06.9", "I10",   "E11.9", "K29.7",
                                                    "M54.5", "A09.0", "J18.9", "N39.0"};
  static constexpr std::string_view kCardPrefixes[] = {"DN", "HT", "GD", "HS", "TE", "HN"};
  Synthetic random = draw(std::string("claim/") + std::string(facility_code), 0, index);
  const std::uint32_t patient = random.below(citizens.size());
  json person = citizens.record(patient);
  const std::string id = person["idNumber"].get<std::string>();
  const bool inpatient = random.below(5) == 0;
  const unsigned month = 1 + random.below(11);
  const unsigned day = 1 + random.below(20);
  const unsigned stay = inpatient ? 1 + random.below(7) : 0;
  json items = json::array();
  std::int64_t total = 0;
  const std::uint32_t count = 1 + random.below(4);
  for (std::uint32_t i = 0; i < count; ++i) {
    const Item& item = kItems[random.below(std::size(kItems) - 1)];
    const std::int64_t quantity = item.price < 5'000 ? 10 + random.below(20) : 1;
    items.push_back({{"code", item.code},
                     {"name", item.name},
                     {"quantity", quantity},
                     {"unitPriceVnd", item.price}});
    total += quantity * item.price;
  }
  if (inpatient) {
    const Item& bed = kItems[std::size(kItems) - 1];
    items.push_back(
        {{"code", bed.code}, {"name", bed.name}, {"quantity", stay}, {"unitPriceVnd", bed.price}});
    total += stay * bed.price;
  }
  const int benefit = 80 + 5 * static_cast<int>(random.below(5));  // 80 % to 100 %
  return json{
      {"claimNumber", std::string(facility_code) + "-" + padded(index, 8)},
      {"facilityCode", facility_code},
      {"patient",
       {{"insuranceCardNumber", std::string(random.pick(kCardPrefixes)) +
                                    std::to_string(1 + benefit / 5 - 16) + id.substr(1, 2) +
                                    id.substr(2)},
        {"idNumber", id},
        {"fullName", person["fullName"]},
        {"dateOfBirth", person["dateOfBirth"]},
        {"sex", person["sex"]}}},
      {"treatment", inpatient ? "inpatient" : "outpatient"},
      {"admissionDate", iso_date(2026, month, day)},
      {"dischargeDate", iso_date(2026, month, day + stay)},
      {"diagnosisCodes", json::array({random.pick(kDiagnoses)})},
      {"items", std::move(items)},
      {"totalCostVnd", total},
      {"insurancePaysVnd", total * benefit / 100},
  };
}

}  // namespace lienthong::demo

#include "synthetic.hpp"

#include <array>

#include "lienthong/core/digest.hpp"

namespace lienthong::demo::detail {
namespace {

constexpr std::array<Province, 10> kProvinces{{
    {"001", "01", "Hà Nội"},
    {"079", "03", "TP. Hồ Chí Minh"},
    {"048", "04", "Đà Nẵng"},
    {"031", "02", "Hải Phòng"},
    {"092", "18", "Cần Thơ"},
    {"046", "33", "Thừa Thiên Huế"},
    {"056", "42", "Khánh Hòa"},
    {"038", "28", "Thanh Hóa"},
    {"040", "29", "Nghệ An"},
    {"022", "57", "Quảng Ninh"},
}};

constexpr std::array<std::string_view, 14> kFamilyNames{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng",
                                                        "Huỳnh",  "Phan", "Vũ", "Võ",   "Đặng",
                                                        "Bùi",    "Đỗ",   "Hồ", "Ngô"};
constexpr std::array<std::string_view, 6> kMaleMiddle{"Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh"};
constexpr std::array<std::string_view, 5> kFemaleMiddle{"Thị", "Ngọc", "Thu", "Minh", "Thanh"};
constexpr std::array<std::string_view, 10> kMaleGiven{"An",   "Bình", "Dũng",  "Hùng", "Khánh",
                                                      "Long", "Nam",  "Phong", "Sơn",  "Tuấn"};
constexpr std::array<std::string_view, 10> kFemaleGiven{"Châu", "Giang", "Hạnh",   "Hoa",  "Lan",
                                                        "Linh", "Mai",   "Phương", "Thảo", "Trang"};
constexpr std::array<std::string_view, 8> kStreets{
    "Lê Lợi",         "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng",
    "Lý Thường Kiệt", "Điện Biên Phủ", "Hùng Vương", "Phan Chu Trinh"};

}  // namespace

Synthetic::Synthetic(std::string_view key) {
  const std::string digest = sha256_hex(key);
  state_ = std::stoull(digest.substr(0, 16), nullptr, 16) | 1;
}

std::uint32_t Synthetic::next() {
  // xorshift64*: small, fast and good enough for made-up names.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return static_cast<std::uint32_t>((state_ * 0x2545F4914F6CDD1DULL) >> 32);
}

std::span<const Province> provinces() {
  return kProvinces;
}

const Province* province_by_citizen_code(std::string_view code) {
  for (const auto& p : kProvinces) {
    if (p.citizen_code == code)
      return &p;
  }
  return nullptr;
}

const Province* province_by_tax_prefix(std::string_view prefix) {
  for (const auto& p : kProvinces) {
    if (p.tax_prefix == prefix)
      return &p;
  }
  return nullptr;
}

std::string vietnamese_name(Synthetic& random, bool female) {
  std::string name(random.pick(kFamilyNames));
  name.append(" ").append(random.pick(female ? std::span<const std::string_view>(kFemaleMiddle)
                                             : std::span<const std::string_view>(kMaleMiddle)));
  name.append(" ").append(random.pick(female ? std::span<const std::string_view>(kFemaleGiven)
                                             : std::span<const std::string_view>(kMaleGiven)));
  return name;
}

std::string street_address(Synthetic& random, const Province& province) {
  return std::to_string(1 + random.below(299)) + " " + std::string(random.pick(kStreets)) + ", " +
         std::string(province.name);
}

bool all_digits(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9')
      return false;
  }
  return !text.empty();
}

}  // namespace lienthong::demo::detail

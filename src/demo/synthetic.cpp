#include "synthetic.hpp"

#include <array>
#include <tuple>
#include <utility>

#include "lienthong/core/digest.hpp"

namespace lienthong::demo::detail {
namespace {

constexpr std::array<Province, 10> kProvinces{{
    {"001", "01", "Hà Nội", 1, 30},
    {"079", "03", "TP. Hồ Chí Minh", 760, 24},
    {"048", "04", "Đà Nẵng", 490, 8},
    {"031", "02", "Hải Phòng", 303, 15},
    {"092", "18", "Cần Thơ", 916, 9},
    {"046", "33", "Thừa Thiên Huế", 474, 9},
    {"056", "42", "Khánh Hòa", 568, 9},
    {"038", "28", "Thanh Hóa", 380, 26},
    {"040", "29", "Nghệ An", 412, 21},
    {"022", "57", "Quảng Ninh", 193, 13},
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

std::string vietnamese_name(Synthetic& random, bool female) {
  std::string name(random.pick(kFamilyNames));
  name.append(" ").append(random.pick(female ? std::span<const std::string_view>(kFemaleMiddle)
                                             : std::span<const std::string_view>(kMaleMiddle)));
  name.append(" ").append(random.pick(female ? std::span<const std::string_view>(kFemaleGiven)
                                             : std::span<const std::string_view>(kMaleGiven)));
  return name;
}

std::string street(Synthetic& random) {
  return std::to_string(1 + random.below(299)) + " " + std::string(random.pick(kStreets));
}

std::string street_address(Synthetic& random, const Province& province) {
  return street(random) + ", " + std::string(province.name);
}

std::string district_code(Synthetic& random, const Province& province) {
  return padded(static_cast<std::uint64_t>(province.first_district) +
                    random.below(static_cast<std::uint32_t>(province.districts)),
                3);
}

namespace {

// The multiplier must share no factor with 10^6 (no 2, no 5) to be invertible.
std::uint64_t invertible_multiplier(std::uint64_t seed) {
  std::uint64_t m = (seed * 2654435761ULL) % SerialPermutation::kModulus;
  while (m % 2 == 0 || m % 5 == 0 || m < 1000)
    m = (m + 1) % SerialPermutation::kModulus;
  return m;
}

std::uint64_t modular_inverse(std::uint64_t value, std::uint64_t modulus) {
  // Extended Euclid on signed values.
  std::int64_t old_r = static_cast<std::int64_t>(value), r = static_cast<std::int64_t>(modulus);
  std::int64_t old_s = 1, s = 0;
  while (r != 0) {
    const std::int64_t q = old_r / r;
    std::tie(old_r, r) = std::pair{r, old_r - q * r};
    std::tie(old_s, s) = std::pair{s, old_s - q * s};
  }
  const auto m = static_cast<std::int64_t>(modulus);
  return static_cast<std::uint64_t>(((old_s % m) + m) % m);
}

}  // namespace

SerialPermutation::SerialPermutation(std::uint64_t seed)
    : multiplier_(invertible_multiplier(seed)),
      inverse_multiplier_(modular_inverse(multiplier_, kModulus)),
      offset_((seed * 40503ULL + 12345) % kModulus) {}

std::uint32_t SerialPermutation::forward(std::uint32_t index) const {
  return static_cast<std::uint32_t>((index * multiplier_ + offset_) % kModulus);
}

std::uint32_t SerialPermutation::inverse(std::uint32_t serial) const {
  const std::uint64_t shifted = (serial + kModulus - offset_) % kModulus;
  return static_cast<std::uint32_t>((shifted * inverse_multiplier_) % kModulus);
}

std::string padded(std::uint64_t value, int width) {
  std::string text = std::to_string(value);
  if (static_cast<int>(text.size()) < width)
    text.insert(0, static_cast<std::size_t>(width) - text.size(), '0');
  return text;
}

bool all_digits(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9')
      return false;
  }
  return !text.empty();
}

}  // namespace lienthong::demo::detail

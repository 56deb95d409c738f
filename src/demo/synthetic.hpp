#pragma once
// Private to demo/: deterministic synthetic data. The same key always gives
// the same person or enterprise, on every machine.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace lienthong::demo::detail {

// A stable pseudo-random generator seeded from a key (SHA-256 of the key).
class Synthetic {
 public:
  explicit Synthetic(std::string_view key);
  std::uint32_t next();
  std::uint32_t below(std::uint32_t bound) { return next() % bound; }
  std::string_view pick(std::span<const std::string_view> choices) {
    return choices[below(static_cast<std::uint32_t>(choices.size()))];
  }

 private:
  std::uint64_t state_;
};

struct Province {
  std::string_view citizen_code;  // first 3 digits of a citizen ID number ("0" + province code)
  std::string_view tax_prefix;    // first 2 digits of a tax code
  std::string_view name;
  int first_district;  // district codes are 3 digits, numbered nationally
  int districts;
  std::string_view code() const { return citizen_code.substr(1); }  // 2-digit province code
};

std::span<const Province> provinces();

std::string vietnamese_name(Synthetic& random, bool female);
std::string street_address(Synthetic& random, const Province& province);
std::string street(Synthetic& random);
std::string district_code(Synthetic& random, const Province& province);

// An affine bijection of [0, 1,000,000): gives records serial numbers that
// do not follow their order, and leads a serial back to its record.
class SerialPermutation {
 public:
  static constexpr std::uint32_t kModulus = 1'000'000;
  explicit SerialPermutation(std::uint64_t seed);
  std::uint32_t forward(std::uint32_t index) const;
  std::uint32_t inverse(std::uint32_t serial) const;

 private:
  std::uint64_t multiplier_;
  std::uint64_t inverse_multiplier_;
  std::uint64_t offset_;
};

// "0012" for (12, 4): zero-padded decimal.
std::string padded(std::uint64_t value, int width);

bool all_digits(std::string_view text);

}  // namespace lienthong::demo::detail

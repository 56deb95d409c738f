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
  std::string_view citizen_code;  // first 3 digits of a citizen ID number
  std::string_view tax_prefix;    // first 2 digits of a tax code
  std::string_view name;
};

std::span<const Province> provinces();
const Province* province_by_citizen_code(std::string_view code);
const Province* province_by_tax_prefix(std::string_view prefix);

std::string vietnamese_name(Synthetic& random, bool female);
std::string street_address(Synthetic& random, const Province& province);

bool all_digits(std::string_view text);

}  // namespace lienthong::demo::detail

#pragma once
// Deterministic synthetic national datasets: citizens (population registry),
// enterprises (business registry and tax system) and health-insurance claims.
// Record `index` of a dataset is the same for the same seed on every machine,
// and a key (ID number, tax code) leads back to its record in constant time
// without storing anything: the demo providers serve a million records each
// from no memory, and `lienthong demo-data` writes them all out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace lienthong::demo {

struct DatasetOptions {
  std::uint64_t seed = 2026;
  std::uint32_t size = 1'000'000;  // at most 1,000,000: keys carry a 6-digit serial
};

// Citizen ID numbers (CCCD): 12 digits, province of birth (3), sex and century
// (1: 0/1 male/female born 1900-1999, 2/3 born 2000-2099), birth year (2), serial (6).
class Citizens {
 public:
  explicit Citizens(DatasetOptions options = {});
  std::uint32_t size() const { return options_.size; }
  std::string id_number(std::uint32_t index) const;
  nlohmann::json record(std::uint32_t index) const;  // the standard citizen record
  std::optional<std::uint32_t> find(std::string_view id_number) const;

 private:
  DatasetOptions options_;
};

// Enterprise tax codes: 10 digits, province (2), serial (7), check digit (1).
class Enterprises {
 public:
  explicit Enterprises(DatasetOptions options = {});
  std::uint32_t size() const { return options_.size; }
  std::string tax_code(std::uint32_t index) const;
  // The business registry's own (older) shape: Vietnamese field names, dd/MM/yyyy dates.
  nlohmann::json registry_record(std::uint32_t index) const;
  // The finance ministry's tax record of the same enterprise (the standard shape).
  nlohmann::json tax_record(std::uint32_t index) const;
  std::optional<std::uint32_t> find(std::string_view tax_code) const;

 private:
  DatasetOptions options_;
};

// Checks the structure of a tax code: 10 digits whose last is the check digit
// of the first nine, or 13 digits (a branch: the parent's 10 and 3 more).
bool valid_tax_code(std::string_view code);

// A health-insurance claim (the standard claim record) from the clinic with
// BHYT facility code `facility_code` (5 digits) for a patient of `citizens`.
nlohmann::json health_insurance_claim(const Citizens& citizens, std::string_view facility_code,
                                      std::uint64_t index);

}  // namespace lienthong::demo

#pragma once
// The health-insurance claims network at national scale: N clinics (12,000
// in the benchmark), each a member of its own with one system, a client
// certificate of its own issued by a given CA, and an approved agreement to
// submit claims to the social-insurance agency's claims service. Written as a
// registry file (`lienthong registry apply`) plus the clinics' keys.

#include <cstdint>
#include <filesystem>
#include <string>

namespace lienthong::demo {

struct ClinicNetworkOptions {
  std::uint32_t count = 12'000;
  std::filesystem::path directory;       // registry.json here, keys and certificates in pki/
  std::filesystem::path ca_certificate;  // the CA that issues the clinics' certificates
  std::filesystem::path ca_key;
  std::string provider = "VN/GOV/000.00.00.G22/GIAMDINH";  // the claims system
  std::string service_code = "health-insurance-claim";
  std::string version = "v1";
};

// Clinic `index`'s BHYT facility code: 5 digits, a 2-digit province code and
// a 3-digit number (synthetic, in the real format).
std::string clinic_facility_code(std::uint32_t index);
// Its member's and system's identifiers, e.g. VN/ORG/KCB-01001 and VN/ORG/KCB-01001/HIS.
std::string clinic_member_id(std::uint32_t index);
std::string clinic_system_id(std::uint32_t index);
// The base name of its key and certificate files in pki/ (KCB-01001.key, .crt).
std::string clinic_file_name(std::uint32_t index);

// Writes the registry file and the keys; throws std::runtime_error on failure.
void write_clinic_network(const ClinicNetworkOptions& options);

}  // namespace lienthong::demo

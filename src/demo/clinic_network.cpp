// Issues real client certificates (ECDSA P-256, signed by the given CA), so
// that every one of the thousands of clinics can actually connect.
#include "lienthong/demo/clinic_network.hpp"

#include <fstream>
#include <memory>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "synthetic.hpp"

namespace lienthong::demo {
namespace {

using nlohmann::json;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("clinic network: " + what);
}

BioPtr open_file(const std::filesystem::path& path, const char* mode) {
  BioPtr bio(BIO_new_file(path.c_str(), mode));
  if (!bio)
    fail("cannot open " + path.string());
  return bio;
}

struct Authority {
  CertPtr certificate;
  KeyPtr key;
};

Authority read_authority(const ClinicNetworkOptions& options) {
  Authority ca;
  ca.certificate.reset(
      PEM_read_bio_X509(open_file(options.ca_certificate, "r").get(), nullptr, nullptr, nullptr));
  ca.key.reset(
      PEM_read_bio_PrivateKey(open_file(options.ca_key, "r").get(), nullptr, nullptr, nullptr));
  if (!ca.certificate || !ca.key)
    fail("cannot read the CA certificate and key");
  return ca;
}

void add_extension(X509* certificate, X509V3_CTX& context, int nid, const char* value) {
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, const_cast<char*>(value));
  if (extension == nullptr || X509_add_ext(certificate, extension, -1) != 1)
    fail("cannot add a certificate extension");
  X509_EXTENSION_free(extension);
}

CertPtr issue(const Authority& ca, EVP_PKEY* key, const std::string& common_name) {
  CertPtr certificate(X509_new());
  unsigned char serial[16];
  if (!certificate || RAND_bytes(serial, sizeof serial) != 1)
    fail("cannot make a certificate");
  serial[0] &= 0x7f;  // a positive serial number
  std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> number(
      BN_bin2bn(serial, sizeof serial, nullptr));
  X509_set_version(certificate.get(), 2);
  BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate.get()));
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 825L * 24 * 3600);
  X509_NAME* subject = X509_get_subject_name(certificate.get());
  const auto entry = [&](const char* field, const std::string& value) {
    X509_NAME_add_entry_by_txt(subject, field, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0);
  };
  entry("C", "VN");
  entry("O", "Lienthong Dev");
  entry("CN", common_name);
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(ca.certificate.get()));
  X509_set_pubkey(certificate.get(), key);
  X509V3_CTX context;
  X509V3_set_ctx(&context, ca.certificate.get(), certificate.get(), nullptr, nullptr, 0);
  add_extension(certificate.get(), context, NID_ext_key_usage, "clientAuth");
  add_extension(certificate.get(), context, NID_key_usage, "critical,digitalSignature");
  if (X509_sign(certificate.get(), ca.key.get(), EVP_sha256()) == 0)
    fail("cannot sign a certificate");
  return certificate;
}

std::string fingerprint(X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(certificate, EVP_sha256(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

void write_pem(const std::filesystem::path& directory, const std::string& name, EVP_PKEY* key,
               X509* certificate) {
  if (PEM_write_bio_PrivateKey(open_file(directory / (name + ".key"), "w").get(), key, nullptr,
                               nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_X509(open_file(directory / (name + ".crt"), "w").get(), certificate) != 1)
    fail("cannot write the key and certificate of " + name);
}

}  // namespace

std::string clinic_facility_code(std::uint32_t index) {
  // 96 province codes x 999 clinics each: room for 95,904.
  return detail::padded(index % 96 + 1, 2) + detail::padded(index / 96 + 1, 3);
}

std::string clinic_member_id(std::uint32_t index) {
  return "VN/ORG/" + clinic_file_name(index);
}

std::string clinic_system_id(std::uint32_t index) {
  return clinic_member_id(index) + "/HIS";
}

std::string clinic_file_name(std::uint32_t index) {
  return "KCB-" + clinic_facility_code(index);
}

void write_clinic_network(const ClinicNetworkOptions& options) {
  if (options.count == 0 || options.count > 95'904)
    fail("the count must be 1 to 95,904");
  const Authority ca = read_authority(options);
  const auto pki = options.directory / "pki";
  std::filesystem::create_directories(pki);
  static constexpr std::string_view kKinds[] = {"Phòng khám đa khoa", "Trạm y tế xã",
                                                "Bệnh viện đa khoa huyện", "Phòng khám tư nhân"};
  json members = json::array(), systems = json::array(), credentials = json::array(),
       agreements = json::array();
  for (std::uint32_t i = 0; i < options.count; ++i) {
    const std::string facility = clinic_facility_code(i);
    const std::string name = std::string(kKinds[i % std::size(kKinds)]) + " " + facility;
    KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key)
      fail("cannot make a key");
    const CertPtr certificate = issue(ca, key.get(), clinic_system_id(i));
    write_pem(pki, clinic_file_name(i), key.get(), certificate.get());
    members.push_back({{"instance", "VN"},
                       {"class", "ORG"},
                       {"code", clinic_file_name(i)},
                       {"name", name + " (cơ sở khám chữa bệnh BHYT " + facility + ")"}});
    systems.push_back({{"member", clinic_member_id(i)},
                       {"code", "HIS"},
                       {"name", "Phần mềm quản lý khám chữa bệnh — " + name}});
    credentials.push_back(
        {{"system", clinic_system_id(i)}, {"fingerprint", fingerprint(certificate.get())}});
    agreements.push_back(
        {{"consumer", clinic_system_id(i)},
         {"provider", options.provider},
         {"service_code", options.service_code},
         {"versions", json::array({options.version})},
         {"purpose", "Gửi hồ sơ đề nghị thanh toán chi phí khám chữa bệnh BHYT (claims)"},
         {"legal_basis", "Luật Bảo hiểm y tế; Quyết định 130/QĐ-BYT về chuẩn dữ liệu đầu ra"},
         {"status", "approved"}});
  }
  std::ofstream out(options.directory / "registry.json");
  out << json{{"version", 1},
              {"members", std::move(members)},
              {"systems", std::move(systems)},
              {"credentials", std::move(credentials)},
              {"agreements", std::move(agreements)}}
             .dump(1)
      << "\n";
  if (!out)
    fail("cannot write " + (options.directory / "registry.json").string());
}

}  // namespace lienthong::demo

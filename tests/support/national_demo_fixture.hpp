#pragma once
// A hub loaded with the shipped demo registry (config/demo/registry.json, as
// ./scripts/run.sh loads it) on top of HubFixture's test registry, with the
// five demo provider systems served in-process on loopback. Only what a test
// machine must differ in is changed: the providers' ports and the consumers'
// certificates, which come from the test PKI under the same names
// (MOTCUA-HN, MOTCUA-HCM, MOTCUA-DN, GIAMDINH, BVDN-HIS).

#include <memory>

#include <nlohmann/json.hpp>

#include "lienthong/demo/datasets.hpp"

#include "admin_client.hpp"
#include "hub_fixture.hpp"
#include "loopback_server.hpp"

namespace lienthong::testing {

inline constexpr const char* kHanoi = "VN/PROV/000.00.00.H26/MOTCUA-HN";
inline constexpr const char* kHoChiMinhCity = "VN/PROV/000.00.00.H29/MOTCUA-HCM";
inline constexpr const char* kDaNang = "VN/PROV/000.00.00.H17/MOTCUA-DN";
inline constexpr const char* kHospital = "VN/ORG/BV-DANANG/BVDN-HIS";
inline constexpr const char* kPopulation = "VN/GOV/000.00.00.G03/DANCU";
inline constexpr const char* kBusiness = "VN/GOV/000.00.00.G09/DKKD";
inline constexpr const char* kLand = "VN/GOV/000.00.00.G20/DATDAI";
inline constexpr const char* kTax = "VN/GOV/000.00.00.G10/THUE";
inline constexpr const char* kClaims = "VN/GOV/000.00.00.G22/GIAMDINH";

class NationalDemoFixture : public HubFixture {
 protected:
  void SetUp() override;
  void configure(Config& config) override;

  // The demo registry file with the test machine's ports and certificates.
  nlohmann::json demo_registry() const;

  // Sends `body` to `provider`/`service`/v1 as `system` (a code in the test
  // PKI, e.g. "MOTCUA-HN"), with `purpose`; returns status and parsed body.
  struct Answer {
    int status = 0;
    nlohmann::json body;
    std::string raw;
  };
  Answer exchange(const std::string& system_code, const std::string& from,
                  const std::string& provider, const std::string& service,
                  const nlohmann::json& body, const std::string& purpose = "kiểm thử (test)",
                  const std::map<std::string, std::string>& headers = {});
  AdminClient auditor() const;

  const demo::Citizens citizens_;
  const demo::Enterprises enterprises_;
  std::unique_ptr<LoopbackServer> population_, business_, land_, tax_, claims_;

 private:
  int sent_ = 0;
};

}  // namespace lienthong::testing

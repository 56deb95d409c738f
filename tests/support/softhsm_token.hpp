#pragma once
// A SoftHSM2 token of the test's own (Debian's softhsm2, as scripts/
// install-deps.sh installs it): its own token directory and configuration
// file, named to this process and its children through SOFTHSM2_CONF.
// Missing SoftHSM2 is a failure, never a skip.

#include <filesystem>
#include <string>

namespace lienthong::testing {

class SoftHsmToken {
 public:
  // Initialises a token labelled `label` with a user PIN in a file.
  explicit SoftHsmToken(const std::string& label);
  ~SoftHsmToken();
  SoftHsmToken(const SoftHsmToken&) = delete;
  SoftHsmToken& operator=(const SoftHsmToken&) = delete;

  // The RFC 7512 URI of object `object` on this token, module and PIN file included.
  std::string uri(const std::string& object) const;

  static constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";

 private:
  std::filesystem::path directory_;
  std::string label_;
};

}  // namespace lienthong::testing

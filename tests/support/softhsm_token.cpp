#include "softhsm_token.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace lienthong::testing {

SoftHsmToken::SoftHsmToken(const std::string& label) : label_(label) {
  if (!std::filesystem::exists(kModule))
    throw std::runtime_error(std::string("SoftHSM2 is not installed (") + kModule +
                             "): run scripts/install-deps.sh");
  directory_ = std::filesystem::temp_directory_path() /
               ("lt-softhsm-" + std::to_string(::getpid()) + "-" + label);
  std::filesystem::remove_all(directory_);
  std::filesystem::create_directories(directory_ / "tokens");
  const auto config = directory_ / "softhsm2.conf";
  std::ofstream(config) << "directories.tokendir = " << (directory_ / "tokens").string()
                        << "\nobjectstore.backend = file\nlog.level = ERROR\n";
  std::ofstream(directory_ / "pin") << "4321\n";
  ::setenv("SOFTHSM2_CONF", config.c_str(), 1);
  const std::string init = "softhsm2-util --init-token --free --label '" + label +
                           "' --pin 4321 --so-pin 8765 >/dev/null";
  if (std::system(init.c_str()) != 0)
    throw std::runtime_error("softhsm2-util could not initialise token " + label);
}

SoftHsmToken::~SoftHsmToken() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string SoftHsmToken::uri(const std::string& object) const {
  return "pkcs11:token=" + label_ + ";object=" + object + "?module-path=" + kModule +
         "&pin-source=file:" + (directory_ / "pin").string();
}

}  // namespace lienthong::testing

// libFuzzer target: the hub's TOML configuration file and LIENTHONG_*
// variables as load_config reads them at start and on SIGHUP. Bad input is a
// startup error (an exception with a message), never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <unistd.h>

#include "lienthong/core/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path =
      "/tmp/lienthong-config-fuzz-" + std::to_string(getpid()) + ".toml";
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)lienthong::load_config(path, {{"LIENTHONG_LIMITS_BODY_BYTES", "65536"}});
  } catch (const std::exception&) {
    // A refused configuration: what the operator sees at start.
  }
  return 0;
}

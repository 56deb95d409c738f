#pragma once
// Private to lienthong-demo (demo_main.cpp): its subcommands.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lienthong/demo/demo_provider.hpp"

namespace CLI {
class App;
}

namespace lienthong::cli {

int run_demo_provider(const std::vector<std::string>& systems, const std::string& log_level,
                      const demo::DemoOptions& options);

// lienthong-demo tsa: the demo's RFC 3161 authority over HTTP.
struct DemoTsaOptions {
  std::string listen = "127.0.0.1:8318";
  std::string certificate;  // PEM, extended key usage timeStamping (scripts/pki.sh --tsa)
  std::string key;
  std::string policy = "2.25.243992339543256560495088202782305522059";  // a UUID OID (X.667)
  std::string log_level = "info";
};
int run_demo_tsa(const DemoTsaOptions& options);

// Adds provider, tsa, data and clinics; the function returned runs the one chosen
// on the command line, or returns nullopt if none was.
std::function<std::optional<int>()> add_demo_commands(CLI::App& app);

}  // namespace lienthong::cli

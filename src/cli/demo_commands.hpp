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

// Adds provider, data and clinics; the function returned runs the one chosen
// on the command line, or returns nullopt if none was.
std::function<std::optional<int>()> add_demo_commands(CLI::App& app);

}  // namespace lienthong::cli

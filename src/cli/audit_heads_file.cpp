#include "audit_heads_file.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lienthong/audit/heads_document.hpp"
#include "lienthong/core/config.hpp"

namespace lienthong::cli {

std::vector<audit::VerifiedHead> read_heads_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw ConfigError("--expect " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return audit::heads_from_document(nlohmann::json::parse(text.str()));
  } catch (const nlohmann::json::exception&) {
    throw ConfigError("--expect " + path + ": is not JSON");
  } catch (const std::invalid_argument& e) {
    throw ConfigError("--expect " + path + ": " + e.what());
  }
}

void write_heads_file(const std::string& path, const std::vector<audit::VerifiedHead>& heads) {
  const auto document = audit::heads_document(heads, std::chrono::system_clock::now());
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << document.dump(2) << "\n";
    if (!out.flush())
      throw std::runtime_error("cannot write " + partial);
  }
  std::filesystem::rename(partial, path);
}

}  // namespace lienthong::cli

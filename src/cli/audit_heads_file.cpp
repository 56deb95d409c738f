#include "audit_heads_file.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lienthong/core/config.hpp"
#include "lienthong/core/timestamp.hpp"

namespace lienthong::cli {
namespace {

constexpr const char* kFormat = "lienthong-audit-heads/1";

bool is_link(const std::string& text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::vector<audit::VerifiedHead> read_heads_file(const std::string& path) {
  const auto fail = [&](const std::string& what) {
    return ConfigError("--expect " + path + ": " + what);
  };
  std::ifstream in(path);
  if (!in)
    throw fail("cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  const auto document = nlohmann::json::parse(text.str(), nullptr, false);
  if (document.is_discarded() || !document.is_object())
    throw fail("is not a JSON object");
  if (document.value("format", "") != kFormat)
    throw fail(std::string("is not a heads file (\"format\" must be \"") + kFormat + "\")");
  if (!document.contains("heads") || !document["heads"].is_array())
    throw fail("has no \"heads\" array");
  std::vector<audit::VerifiedHead> heads;
  std::set<std::string> nodes;
  for (const auto& entry : document["heads"]) {
    if (!entry.is_object() || !entry.contains("node") || !entry["node"].is_string() ||
        !entry.contains("seq") || !entry["seq"].is_number_integer() ||
        !entry.contains("record_hash") || !entry["record_hash"].is_string())
      throw fail("each head needs \"node\" (text), \"seq\" (integer) and \"record_hash\" (text)");
    audit::VerifiedHead head{entry["node"].get<std::string>(), entry["seq"].get<std::int64_t>(),
                             entry["record_hash"].get<std::string>()};
    if (head.node.empty() || head.seq < 1 || !is_link(head.record_hash))
      throw fail("head of node '" + head.node +
                 "': seq must be at least 1 and record_hash 64 lowercase hex digits");
    if (!nodes.insert(head.node).second)
      throw fail("node '" + head.node + "' has two heads");
    heads.push_back(std::move(head));
  }
  return heads;
}

void write_heads_file(const std::string& path, const std::vector<audit::VerifiedHead>& heads) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& head : heads)
    entries.push_back({{"node", head.node}, {"seq", head.seq}, {"record_hash", head.record_hash}});
  const nlohmann::json document{{"format", kFormat},
                                {"saved_at", to_rfc3339(std::chrono::system_clock::now())},
                                {"heads", std::move(entries)}};
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

#include "lienthong/audit/heads_document.hpp"

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/timestamp.hpp"

namespace lienthong::audit {
namespace {

constexpr const char* kFormat = "lienthong-audit-heads/1";

}  // namespace

std::vector<VerifiedHead> heads_from_document(const nlohmann::json& document) {
  const auto fail = [](const std::string& what) { return std::invalid_argument(what); };
  if (!document.is_object())
    throw fail("is not a JSON object");
  if (!document.contains("format") || document["format"] != kFormat)
    throw fail(std::string("is not a heads document (\"format\" must be \"") + kFormat + "\")");
  if (!document.contains("heads") || !document["heads"].is_array())
    throw fail("has no \"heads\" array");
  std::vector<VerifiedHead> heads;
  std::set<std::string> nodes;
  for (const auto& entry : document["heads"]) {
    if (!entry.is_object() || !entry.contains("node") || !entry["node"].is_string() ||
        !entry.contains("seq") || !entry["seq"].is_number_integer() ||
        !entry.contains("record_hash") || !entry["record_hash"].is_string())
      throw fail("each head needs \"node\" (text), \"seq\" (integer) and \"record_hash\" (text)");
    VerifiedHead head{entry["node"].get<std::string>(), entry["seq"].get<std::int64_t>(),
                      entry["record_hash"].get<std::string>()};
    if (head.node.empty() || head.seq < 1 || !is_chain_link(head.record_hash))
      throw fail("head of node '" + head.node +
                 "': seq must be at least 1 and record_hash 64 lowercase hex digits");
    if (!nodes.insert(head.node).second)
      throw fail("node '" + head.node + "' has two heads");
    heads.push_back(std::move(head));
  }
  return heads;
}

nlohmann::json heads_document(const std::vector<VerifiedHead>& heads, TimePoint saved_at) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& head : heads)
    entries.push_back({{"node", head.node}, {"seq", head.seq}, {"record_hash", head.record_hash}});
  return {{"format", kFormat}, {"saved_at", to_rfc3339(saved_at)}, {"heads", std::move(entries)}};
}

}  // namespace lienthong::audit

// Verifying an archived month from its file alone (`lienthong audit verify-archive`).
#include <fstream>
#include <map>
#include <stdexcept>

#include "lienthong/audit/audit_archive.hpp"

#include "archive_format.hpp"

namespace lienthong::audit {

using namespace archive_format;
using nlohmann::json;

VerifyReport verify_archive_file(const std::filesystem::path& path,
                                 const std::vector<std::string>& trusted_key_ids) {
  std::ifstream in(path);
  if (!in)
    refuse("cannot read " + path.string());
  std::string text;
  std::size_t line_number = 0;
  const auto next = [&]() -> std::optional<json> {
    if (!std::getline(in, text))
      return std::nullopt;
    ++line_number;
    try {
      return json::parse(text);
    } catch (const json::exception&) {
      refuse(path.string() + " line " + std::to_string(line_number) + " is not JSON");
    }
  };
  const auto header = next();
  if (!header || !header->is_object() || header->value("format", "") != kFormat)
    refuse(path.string() + " is not a Lienthong audit archive (" + std::string(kFormat) + ")");

  std::map<std::string, Stretch> announced;
  std::map<std::string, std::map<std::string, std::string>> keys;
  std::map<std::string, std::map<std::int64_t, Checkpoint>> checkpoints;
  VerifyReport report;
  std::optional<ChainCheck> check;
  const auto close_chain = [&] {
    if (check) {
      report.chains.push_back(conclude(*check, announced.at(check->report().node)));
      check.reset();
    }
  };
  try {
    for (const auto& chain : header->at("chains")) {
      Stretch s = stretch_from_json(chain);
      announced.emplace(s.node, std::move(s));
    }
    std::map<std::string, bool> seen;
    while (const auto line = next()) {
      const std::string type = line->at("type").get<std::string>();
      const std::string node = line->at("node").get<std::string>();
      if (type == "key") {
        keys[node][line->at("key_id").get<std::string>()] =
            line->at("public_key").get<std::string>();
      } else if (type == "checkpoint") {
        auto c = checkpoint_from_line(*line);
        checkpoints[node].emplace(c.seq, std::move(c));
      } else if (type == "record") {
        if (line->at("seq").is_null()) {
          ++report.unchained_records;
          continue;
        }
        if (!check || check->report().node != node) {
          close_chain();
          const auto stretch = announced.find(node);
          if (stretch == announced.end() || seen[node])
            refuse(path.string() + " line " + std::to_string(line_number) + ": records of node " +
                   node + " the header does not announce there");
          seen[node] = true;
          check.emplace(node, checkpoints[node], keys[node], trusted_key_ids);
          anchor(*check, stretch->second);
        }
        const AuditRecord record = record_from_line(*line);
        check->add(line->at("id").get<std::int64_t>(), line->at("seq").get<std::int64_t>(),
                   line->at("record_hash").get<std::string>(), record, bodies_match(record));
      }
    }
    close_chain();
    // A node announced but without a single record left.
    for (const auto& [node, stretch] : announced) {
      if (!seen[node]) {
        ChainCheck empty(node, {}, {}, {});
        anchor(empty, stretch);
        report.chains.push_back(conclude(empty, stretch));
      }
    }
  } catch (const json::exception& e) {
    refuse(path.string() + " line " + std::to_string(line_number) + ": " + e.what());
  } catch (const std::invalid_argument& e) {  // a chain hash that is not 64 hex digits
    refuse(path.string() + " line " + std::to_string(line_number) + ": " + e.what());
  }
  return report;
}

}  // namespace lienthong::audit

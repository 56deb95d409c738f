// Verifying an archived month from its file alone (`lienthong audit verify-archive`).
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>

#include "lienthong/audit/audit_archive.hpp"
#include "lienthong/core/digest.hpp"

#include "archive_format.hpp"

namespace lienthong::audit {

using namespace archive_format;
using nlohmann::json;

namespace {

// Holds each chain that verified to the witnessed heads in its stretch.
void hold_to_witness(const std::vector<VerifiedHead>& witnessed,
                     const std::map<std::string, Stretch>& announced,
                     const std::map<std::string, std::map<std::int64_t, std::string>>& links,
                     VerifyReport& report) {
  for (auto& chain : report.chains) {
    const auto stretch = announced.find(chain.node);
    if (chain.problem || stretch == announced.end())
      continue;
    const auto held = links.find(chain.node);
    for (const auto& head : witnessed) {
      if (head.node != chain.node || head.seq < stretch->second.first_seq ||
          head.seq > stretch->second.last_seq)
        continue;
      const std::string* stored = nullptr;
      if (held != links.end()) {
        if (const auto found = held->second.find(head.seq); found != held->second.end())
          stored = &found->second;
      }
      if (!stored || *stored != head.record_hash) {
        chain.problem =
            ChainProblem{"altered", head.seq, std::nullopt,
                         "record " + std::to_string(head.seq) +
                             " is not the one that was witnessed outside the "
                             "database: the month was rewritten before it was archived"};
        break;
      }
      ++chain.witnessed_checked;
    }
  }
}

}  // namespace

VerifyReport verify_archive_file(const std::filesystem::path& path,
                                 const std::vector<std::string>& trusted_key_ids,
                                 const std::vector<VerifiedHead>& witnessed_heads,
                                 std::shared_ptr<const TsaTrust> timestamp_trust) {
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
  std::map<std::string, std::vector<KeptTimestamp>> timestamps;
  // The links of the records a witnessed head names, as the file holds them.
  std::map<std::string, std::map<std::int64_t, std::string>> witnessed_links;
  std::map<std::string, std::set<std::int64_t>> wanted;
  for (const auto& head : witnessed_heads)
    wanted[head.node].insert(head.seq);
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
      } else if (type == "timestamp") {
        timestamps[node].push_back(timestamp_from_line(*line));
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
          for (const auto& kept : timestamps[node]) {
            if (timestamp_trust && !check_timestamp(*check, *timestamp_trust, kept))
              break;
          }
        }
        const AuditRecord record = record_from_line(*line);
        const auto seq = line->at("seq").get<std::int64_t>();
        const auto link = line->at("record_hash").get<std::string>();
        check->add(line->at("id").get<std::int64_t>(), seq, link, record, bodies_match(record));
        if (const auto w = wanted.find(node); w != wanted.end() && w->second.contains(seq))
          witnessed_links[node][seq] = link;
      }
    }
    close_chain();
    hold_to_witness(witnessed_heads, announced, witnessed_links, report);
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

Result<TimestampToken> verify_archive_seal(const std::filesystem::path& file,
                                           const std::filesystem::path& seal,
                                           const TsaTrust& trust) {
  const auto read = [](const std::filesystem::path& path) -> std::optional<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const auto bytes = read(file);
  const auto token = read(seal);
  if (!bytes || !token)
    return make_error(ErrorCode::kClientConflict, "cannot read " + (bytes ? seal : file).string());
  auto checked = verify_timestamp_token(*token, sha256(*bytes), trust);
  if (!checked.has_value())
    return make_error(
        ErrorCode::kClientConflict,
        "the seal " + seal.string() + " does not hold for this file: " + checked.error().detail);
  return checked;
}

}  // namespace lienthong::audit

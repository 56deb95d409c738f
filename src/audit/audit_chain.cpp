#include "lienthong/audit/audit_chain.hpp"

#include <array>
#include <cstdio>
#include <stdexcept>

#include "lienthong/core/digest.hpp"
#include "lienthong/core/utf8.hpp"

namespace lienthong::audit {
namespace {

void append_field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
}

void append_time(std::string& out, const std::optional<TimePoint>& time) {
  if (time)
    append_field(out, std::to_string(to_micros(*time)));
  else
    out += '~';
}

}  // namespace

std::int64_t to_micros(TimePoint time) {
  using std::chrono::microseconds;
  const auto since = time.time_since_epoch();
  auto micros = std::chrono::duration_cast<microseconds>(since);
  if (micros > since)
    micros -= microseconds(1);  // floor, as PostgreSQL does not round up
  return micros.count();
}

TimePoint from_micros(std::int64_t micros) {
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
}

bool crossed_a_peer(const AuditRecord& r) {
  for (const std::string* text : peer_fields(r)) {
    if (!text->empty())
      return true;
  }
  return false;
}

std::string canonical_encoding(std::int64_t seq, const AuditRecord& r) {
  const bool federated = crossed_a_peer(r);
  std::string out = federated ? "lienthong-audit-v2" : "lienthong-audit-v1";
  out.reserve(512);
  append_field(out, std::to_string(seq));
  for (const std::string* text :
       {&r.node, &r.message_id, &r.request_id, &r.correlation_id, &r.consumer, &r.provider,
        &r.service, &r.service_version, &r.method, &r.path, &r.user_id, &r.purpose,
        &r.client_address, &r.client_fingerprint}) {
    append_field(out, *text);
  }
  append_field(out, std::to_string(r.status));
  append_field(out, r.error_code);
  append_field(out, std::to_string(r.request_bytes));
  append_field(out, std::to_string(r.response_bytes));
  append_field(out, r.request_sha256);
  append_field(out, r.response_sha256);
  append_time(out, r.received_at);
  append_time(out, r.provider_called_at);
  append_time(out, r.provider_answered_at);
  append_time(out, r.responded_at);
  if (federated) {
    for (const std::string* text : peer_fields(r))
      append_field(out, *text);
  }
  return out;
}

namespace {

// SHA-256(raw(previous_hash) || encoding) in lower-case hex.
std::string link_hash(std::string_view previous_hash, std::string_view encoding) {
  if (previous_hash.size() != 64)
    throw std::invalid_argument("a chain hash is 64 hex digits");
  std::string input;
  input.reserve(32 + encoding.size());
  for (std::size_t i = 0; i < 64; i += 2) {
    const auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    input.push_back(
        static_cast<char>(nibble(previous_hash[i]) << 4 | nibble(previous_hash[i + 1])));
  }
  input += encoding;
  return sha256_hex(input);
}

void append_optional(std::string& out, const std::optional<std::string>& value) {
  if (value)
    append_field(out, *value);
  else
    out += '~';
}

}  // namespace

std::string chain_hash(std::string_view previous_hash, std::int64_t seq,
                       const AuditRecord& record) {
  return link_hash(previous_hash, canonical_encoding(seq, record));
}

std::string admin_change_encoding(const AdminChange& c) {
  std::string out = "lienthong-admin-change-v1";
  append_field(out, std::to_string(c.seq));
  append_field(out, std::to_string(c.id));
  append_field(out, std::to_string(c.at_micros));
  for (const std::string* text : {&c.actor, &c.actor_role, &c.action, &c.entity})
    append_field(out, *text);
  append_field(out, std::to_string(c.entity_id));
  append_field(out, c.member_ids);
  append_optional(out, c.before);
  append_optional(out, c.after);
  return out;
}

std::string audit_read_encoding(const AuditRead& r) {
  std::string out = "lienthong-audit-read-v1";
  append_field(out, std::to_string(r.seq));
  append_field(out, std::to_string(r.id));
  append_field(out, std::to_string(r.at_micros));
  append_field(out, r.actor);
  append_field(out, r.actor_role);
  append_optional(out, r.scope);
  append_field(out, r.endpoint);
  append_field(out, r.filter);
  append_field(out, r.record_ids);
  append_field(out, std::to_string(r.returned));
  append_field(out, r.member_ids);
  return out;
}

std::string audit_read_hash(std::string_view previous_hash, const AuditRead& read) {
  return link_hash(previous_hash, audit_read_encoding(read));
}

std::string admin_change_hash(std::string_view previous_hash, const AdminChange& change) {
  return link_hash(previous_hash, admin_change_encoding(change));
}

void make_storable(AuditRecord& r) {
  for (std::string* text : {&r.node, &r.message_id, &r.request_id, &r.correlation_id, &r.consumer,
                            &r.provider, &r.service, &r.service_version, &r.method, &r.path,
                            &r.user_id, &r.purpose, &r.client_address, &r.client_fingerprint,
                            &r.error_code, &r.request_sha256, &r.response_sha256}) {
    replace_invalid_utf8(*text);
  }
  for (std::string* text : peer_fields(r))
    replace_invalid_utf8(*text);
}

std::string checkpoint_message(std::string_view node, std::int64_t seq,
                               std::string_view record_hash, std::int64_t signed_at_micros,
                               const SealedRecords& sealed) {
  std::string out =
      sealed.root.empty() ? "lienthong-audit-checkpoint-v1\n" : "lienthong-audit-checkpoint-v2\n";
  out += node;
  out += '\n';
  out += std::to_string(seq);
  out += '\n';
  out += record_hash;
  out += '\n';
  out += std::to_string(signed_at_micros);
  if (!sealed.root.empty()) {
    out += '\n';
    out += std::to_string(sealed.from_seq);
    out += '\n';
    out += sealed.root;
  }
  return out;
}

std::string timestamped_checkpoint_text(std::string_view node, std::int64_t seq,
                                        std::string_view record_hash, std::int64_t signed_at_micros,
                                        std::string_view signature_base64,
                                        const SealedRecords& sealed) {
  std::string out = checkpoint_message(node, seq, record_hash, signed_at_micros, sealed);
  out += '\n';
  out += signature_base64;
  out += '\n';
  return out;
}

namespace {
constexpr std::string_view kBatchTag = "lienthong-timestamp-batch-v1\n";
}  // namespace

std::string timestamp_batch(std::string_view chain, const std::vector<BatchEntry>& entries) {
  std::string out(kBatchTag);
  out += chain;
  out += '\n';
  for (const auto& entry : entries) {
    out += std::to_string(entry.seq);
    out += ' ';
    out += entry.digest;
    out += '\n';
  }
  return out;
}

std::optional<std::vector<BatchEntry>> parse_timestamp_batch(std::string_view chain,
                                                             std::string_view text) {
  const std::string head = std::string(kBatchTag) + std::string(chain) + "\n";
  if (!text.starts_with(head))
    return std::nullopt;
  text.remove_prefix(head.size());
  std::vector<BatchEntry> entries;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const auto space = text.find(' ');
    if (end == std::string_view::npos || space == std::string_view::npos || space > end)
      return std::nullopt;
    const auto number = text.substr(0, space);
    BatchEntry entry;
    if (number.empty() || number.size() > 18 || (number.size() > 1 && number.front() == '0') ||
        number.find_first_not_of("0123456789") != std::string_view::npos)
      return std::nullopt;
    entry.seq = std::stoll(std::string(number));
    entry.digest = std::string(text.substr(space + 1, end - space - 1));
    if (!is_chain_link(entry.digest) || (!entries.empty() && entries.back().seq >= entry.seq))
      return std::nullopt;
    entries.push_back(std::move(entry));
    text.remove_prefix(end + 1);
  }
  if (entries.empty())
    return std::nullopt;
  return entries;
}

std::chrono::year_month utc_month(TimePoint time) {
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(time)};
  return {day.year(), day.month()};
}

std::string month_text(std::chrono::year_month month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u", static_cast<int>(month.year()),
                static_cast<unsigned>(month.month()));
  return text;
}

std::optional<std::chrono::year_month> parse_month(std::string_view text) {
  int year = 0;
  unsigned month = 0;
  const auto digits = [&](std::size_t from, std::size_t count, auto& out) {
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9')
        return false;
      out = out * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return true;
  };
  if (text.size() != 7 || text[4] != '-' || !digits(0, 4, year) || !digits(5, 2, month) ||
      month < 1 || month > 12)
    return std::nullopt;
  return std::chrono::year_month{std::chrono::year{year}, std::chrono::month{month}};
}

TimePoint month_start(std::chrono::year_month month) {
  return std::chrono::sys_days{month / std::chrono::day{1}};
}

}  // namespace lienthong::audit

#include "archive_format.hpp"

#include <vector>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/timestamp.hpp"

namespace lienthong::audit::archive_format {

using nlohmann::json;

namespace {

json optional_text(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json optional_time(const std::optional<TimePoint>& time) {
  return time ? json(to_rfc3339(*time)) : json(nullptr);
}

json optional_body(const std::optional<std::string>& body) {
  return body ? json(base64_encode(*body)) : json(nullptr);
}

// The text fields of a record, by their names in the file (and the table).
std::vector<std::pair<const char*, std::string AuditRecord::*>> text_fields() {
  return {{"node", &AuditRecord::node},
          {"message_id", &AuditRecord::message_id},
          {"request_id", &AuditRecord::request_id},
          {"correlation_id", &AuditRecord::correlation_id},
          {"consumer", &AuditRecord::consumer},
          {"provider", &AuditRecord::provider},
          {"service", &AuditRecord::service},
          {"service_version", &AuditRecord::service_version},
          {"method", &AuditRecord::method},
          {"path", &AuditRecord::path},
          {"user_id", &AuditRecord::user_id},
          {"purpose", &AuditRecord::purpose},
          {"client_address", &AuditRecord::client_address},
          {"client_fingerprint", &AuditRecord::client_fingerprint},
          {"error_code", &AuditRecord::error_code},
          {"request_sha256", &AuditRecord::request_sha256},
          {"response_sha256", &AuditRecord::response_sha256}};
}

TimePoint time_from(const json& value, const char* name) {
  const auto time = value.is_string() ? parse_rfc3339(value.get<std::string>()) : std::nullopt;
  if (!time)
    refuse(std::string("\"") + name + "\" is not an RFC 3339 time");
  return *time;
}

std::optional<std::string> body_from(const json& value, const char* name) {
  if (value.is_null())
    return std::nullopt;
  auto body = value.is_string() ? base64_decode(value.get<std::string>()) : std::nullopt;
  if (!body)
    refuse(std::string("\"") + name + "\" is not base64");
  return body;
}

}  // namespace

json record_line(std::int64_t id, const std::optional<std::int64_t>& seq,
                 const std::string& record_hash, TimePoint committed_at, const AuditRecord& r) {
  json line{{"type", "record"},
            {"id", id},
            {"seq", seq ? json(*seq) : json(nullptr)},
            {"record_hash", optional_text(record_hash)},
            {"committed_at", to_rfc3339(committed_at)}};
  for (const auto& [name, member] : text_fields())
    line[name] = optional_text(r.*member);
  line["status"] = r.status;
  line["request_bytes"] = r.request_bytes;
  line["response_bytes"] = r.response_bytes;
  line["received_at"] = to_rfc3339(r.received_at);
  line["provider_called_at"] = optional_time(r.provider_called_at);
  line["provider_answered_at"] = optional_time(r.provider_answered_at);
  line["responded_at"] = to_rfc3339(r.responded_at);
  line["request_body_base64"] = optional_body(r.request_body);
  line["response_body_base64"] = optional_body(r.response_body);
  // Sealed bodies stay sealed in the archive: its file holds no citizen
  // data either, and shredding the month's key reaches it too.
  if (r.bodies_key)
    line["bodies_key"] = *r.bodies_key;
  // The fields of a record that crossed a peer hub, named as their columns.
  for (std::size_t i = 0; i < kPeerColumns.size(); ++i)
    line[kPeerColumns[i]] = optional_text(*peer_fields(r)[i]);
  return line;
}

AuditRecord record_from_line(const json& line) {
  AuditRecord r;
  for (const auto& [name, member] : text_fields()) {
    const json& value = line.at(name);
    r.*member = value.is_null() ? std::string() : value.get<std::string>();
  }
  r.status = line.at("status").get<int>();
  r.request_bytes = line.at("request_bytes").get<std::int64_t>();
  r.response_bytes = line.at("response_bytes").get<std::int64_t>();
  r.received_at = time_from(line.at("received_at"), "received_at");
  if (!line.at("provider_called_at").is_null())
    r.provider_called_at = time_from(line["provider_called_at"], "provider_called_at");
  if (!line.at("provider_answered_at").is_null())
    r.provider_answered_at = time_from(line["provider_answered_at"], "provider_answered_at");
  r.responded_at = time_from(line.at("responded_at"), "responded_at");
  r.request_body = body_from(line.at("request_body_base64"), "request_body_base64");
  r.response_body = body_from(line.at("response_body_base64"), "response_body_base64");
  if (const auto key = line.find("bodies_key"); key != line.end()) {
    if (!key->is_number_integer())
      refuse("\"bodies_key\" is not a number");
    r.bodies_key = key->get<std::int64_t>();
  }
  // Archives written before federation have no peer fields: absent is empty.
  for (std::size_t i = 0; i < kPeerColumns.size(); ++i) {
    const auto value = line.find(kPeerColumns[i]);
    if (value != line.end() && !value->is_null())
      *peer_fields(r)[i] = value->get<std::string>();
  }
  return r;
}

json timestamp_line(const std::string& node, const KeptTimestamp& t) {
  return {{"type", "timestamp"},
          {"node", node},
          {"checkpoint_seq", t.checkpoint_seq},
          {"digest", t.digest},
          {"batch", t.batch ? json(*t.batch) : json(nullptr)},
          {"token_base64", base64_encode(t.token_der)}};
}

KeptTimestamp timestamp_from_line(const json& line) {
  KeptTimestamp t;
  t.checkpoint_seq = line.at("checkpoint_seq").get<std::int64_t>();
  t.digest = line.at("digest").get<std::string>();
  if (!line.at("batch").is_null())
    t.batch = line.at("batch").get<std::string>();
  const auto token = base64_decode(line.at("token_base64").get<std::string>());
  if (!token)
    refuse("\"token_base64\" is not base64");
  t.token_der = *token;
  return t;
}

bool bodies_match(const AuditRecord& r) {
  // Sealed bodies are checked when opened, with the key (body_keys.hpp).
  if (r.bodies_key)
    return true;
  return (!r.request_body || sha256_hex(*r.request_body) == r.request_sha256) &&
         (!r.response_body || sha256_hex(*r.response_body) == r.response_sha256);
}

json checkpoint_line(const std::string& node, const Checkpoint& c) {
  json line{{"type", "checkpoint"},
            {"node", node},
            {"id", c.id},
            {"seq", c.seq},
            {"record_hash", c.record_hash},
            {"signed_at", to_rfc3339(from_micros(c.signed_at_micros))},
            {"key_id", c.key_id},
            {"signature", c.signature}};
  if (!c.sealed.root.empty()) {
    line["from_seq"] = c.sealed.from_seq;
    line["records_root"] = c.sealed.root;
  }
  return line;
}

Checkpoint checkpoint_from_line(const json& line) {
  SealedRecords sealed;
  if (line.contains("records_root"))
    sealed = {line.at("from_seq").get<std::int64_t>(), line.at("records_root").get<std::string>()};
  return {line.at("id").get<std::int64_t>(),
          line.at("seq").get<std::int64_t>(),
          line.at("record_hash").get<std::string>(),
          to_micros(time_from(line.at("signed_at"), "signed_at")),
          line.at("key_id").get<std::string>(),
          line.at("signature").get<std::string>(),
          std::move(sealed)};
}

json stretch_json(const Stretch& s) {
  return {{"node", s.node},       {"first_seq", s.first_seq},         {"last_seq", s.last_seq},
          {"records", s.records}, {"previous_hash", s.previous_hash}, {"last_hash", s.last_hash}};
}

void anchor(ChainCheck& check, const Stretch& stretch) {
  const auto at = check.checkpoints().find(stretch.first_seq - 1);
  if (at != check.checkpoints().end()) {
    if (at->second.record_hash != stretch.previous_hash) {
      check.problem("checkpoint", at->first, std::nullopt,
                    "the anchoring checkpoint " + std::to_string(at->second.id) +
                        " disagrees with the previous hash the archive starts from");
    } else {
      check.check_signature(at->second);
    }
  }
  check.start(stretch.first_seq - 1, stretch.previous_hash);
}

ChainReport conclude(ChainCheck& check, const Stretch& stretch) {
  check.finish(stretch.last_seq);
  if (!check.failed() && check.seq() != stretch.last_seq) {
    check.problem("truncated", check.seq() + 1, std::nullopt,
                  "the archive announces records up to " + std::to_string(stretch.last_seq) +
                      " but holds them only up to " + std::to_string(check.seq()));
  } else if (!check.failed() && check.hash() != stretch.last_hash) {
    check.problem("altered", check.seq(), std::nullopt,
                  "the last record's link differs from the one the header announces");
  }
  return std::move(check.report());
}

Stretch stretch_from_json(const json& chain) {
  return {chain.at("node").get<std::string>(),          chain.at("first_seq").get<std::int64_t>(),
          chain.at("last_seq").get<std::int64_t>(),     chain.at("records").get<std::int64_t>(),
          chain.at("previous_hash").get<std::string>(), chain.at("last_hash").get<std::string>()};
}

}  // namespace lienthong::audit::archive_format

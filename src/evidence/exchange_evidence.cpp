#include "lienthong/evidence/exchange_evidence.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/timestamp.hpp"

#include "evidence_parts.hpp"

namespace lienthong::evidence {
namespace {

// A signed checkpoint text of the v2 form, read back.
struct CheckpointText {
  std::string node;
  std::int64_t seq = 0;
  std::string record_hash;
  std::int64_t signed_at_micros = 0;
  audit::SealedRecords sealed;
};

std::optional<std::int64_t> number(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

std::optional<CheckpointText> read_checkpoint(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at <= text.size();) {
    const auto end = std::min(text.find('\n', at), text.size());
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  if (lines.size() != 7 || lines[0] != "lienthong-audit-checkpoint-v2")
    return std::nullopt;
  const auto seq = number(lines[2]);
  const auto micros = number(lines[4]);
  const auto from = number(lines[5]);
  if (!seq || !micros || !from || !audit::is_time_point_micros(*micros))
    return std::nullopt;
  CheckpointText c{
      std::string(lines[1]), *seq, std::string(lines[3]), *micros, {*from, std::string(lines[6])}};
  // Only the one way of writing it.
  if (audit::checkpoint_message(c.node, c.seq, c.record_hash, c.signed_at_micros, c.sealed) != text)
    return std::nullopt;
  return c;
}

std::string path_text(const std::vector<audit::TreeStep>& path) {
  std::string out;
  for (const auto& step : path)
    out += (step.sibling_on_left ? "left " : "right ") + step.sibling + "\n";
  return out;
}

std::optional<std::vector<audit::TreeStep>> read_path(std::string_view text) {
  std::vector<audit::TreeStep> path;
  while (!text.empty()) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos)
      return std::nullopt;
    const auto line = text.substr(0, end);
    audit::TreeStep step;
    std::string_view sibling;
    if (line.starts_with("left ")) {
      step.sibling_on_left = true;
      sibling = line.substr(5);
    } else if (line.starts_with("right ")) {
      sibling = line.substr(6);
    } else {
      return std::nullopt;
    }
    if (!audit::is_chain_link(sibling))
      return std::nullopt;
    step.sibling = std::string(sibling);
    path.push_back(std::move(step));
    text.remove_prefix(end + 1);
  }
  return path;
}

// Which side each sibling is on from leaf `index` of a tree of `count`
// leaves (records_tree.hpp): the only path shape that record can have.
std::vector<bool> path_shape(std::size_t count, std::size_t index) {
  std::vector<bool> sides;
  while (count > 1) {
    const std::size_t sibling = index ^ 1;
    if (sibling < count)
      sides.push_back(sibling < index);
    count = (count + 1) / 2;
    index /= 2;
  }
  return sides;
}

std::string json_quoted(const std::string& value) {
  return nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string summary(std::int64_t seq, const std::string& record_hash, const audit::AuditRecord& r,
                    const CheckpointText& checkpoint, const std::string& key_id, bool request_body,
                    bool response_body) {
  std::string out =
      "Lienthong exchange evidence v1\n"
      "One exchange as a Lienthong hub recorded it, with what proves the record:\n"
      "lienthong audit verify-evidence FILE checks it, and so can openssl and\n"
      "sha256sum alone (docs/evidence.md). The lines below are what it proves.\n\n";
  const auto line = [&](std::string_view name, const std::string& value) {
    out += std::string(name) + ": " + value + "\n";
  };
  line("node", json_quoted(r.node));
  line("seq", std::to_string(seq));
  line("record", record_hash);
  line("message-id", json_quoted(r.message_id));
  line("request-id", json_quoted(r.request_id));
  line("correlation-id", json_quoted(r.correlation_id));
  line("consumer", json_quoted(r.consumer));
  line("provider", json_quoted(r.provider));
  line("service", json_quoted(r.service));
  line("service-version", json_quoted(r.service_version));
  line("user-id", json_quoted(r.user_id));
  line("purpose", json_quoted(r.purpose));
  line("status", std::to_string(r.status));
  line("error-code", json_quoted(r.error_code));
  line("received-at", to_rfc3339(r.received_at));
  line("responded-at", to_rfc3339(r.responded_at));
  line("request-sha256", json_quoted(r.request_sha256));
  line("response-sha256", json_quoted(r.response_sha256));
  line("checkpoint", std::to_string(checkpoint.seq) + " (records " +
                         std::to_string(checkpoint.sealed.from_seq) + " to " +
                         std::to_string(checkpoint.seq) + ")");
  line("signed-at", to_rfc3339(audit::from_micros(checkpoint.signed_at_micros)));
  line("node-key", key_id);
  std::string bodies = request_body ? "request" : "";
  if (response_body)
    bodies += bodies.empty() ? "response" : " response";
  line("bodies", bodies.empty() ? "none" : bodies);
  return out;
}

// SHA-256 of each certificate's DER, as `openssl x509 -fingerprint -sha256`
// shows it (without the colons).
std::vector<std::string> fingerprints(std::string_view pem) {
  constexpr std::string_view kBeginCertificate = "-----BEGIN CERTIFICATE-----\n";
  constexpr std::string_view kEndCertificate = "-----END CERTIFICATE-----";
  std::vector<std::string> out;
  for (auto begin = pem.find(kBeginCertificate); begin != std::string_view::npos;
       begin = pem.find(kBeginCertificate, begin + 1)) {
    const auto body = begin + kBeginCertificate.size();
    const auto end = pem.find(kEndCertificate, body);
    if (end == std::string_view::npos)
      break;
    std::string text;
    for (const char c : pem.substr(body, end - body))
      if (c != '\n')
        text += c;
    if (const auto der = base64_decode(text))
      out.push_back(sha256_hex(*der));
  }
  return out;
}

Error failed(std::string_view part, const std::string& why) {
  return Error{ErrorCode::kClientInvalidInput, std::string(part) + ": " + why};
}

}  // namespace

std::string write_evidence(const audit::RecordProof& proof, const std::string& tsa_certificates_pem,
                           bool with_bodies) {
  const auto record = audit::decode_canonical_encoding(proof.encoding);
  const auto checkpoint = read_checkpoint(proof.checkpoint);
  const auto key = audit::VerifyingKey::from_pem(proof.public_key_pem);
  const auto signature = base64_decode(proof.signature_base64);
  const auto previous = from_hex(proof.previous_link);
  if (!record || !checkpoint || !key.has_value() || !signature || !previous)
    throw std::logic_error("a record proof that cannot be written as evidence");
  EvidenceParts parts;
  parts.record = *previous + proof.encoding;
  parts.tree_path = path_text(proof.path);
  parts.checkpoint = proof.checkpoint;
  parts.signature = *signature;
  parts.public_key_pem = proof.public_key_pem;
  parts.batch = proof.batch;
  parts.token = proof.token_der;
  parts.certificates_pem = tsa_certificates_pem;
  if (with_bodies) {
    parts.request_body = proof.request_body;
    parts.response_body = proof.response_body;
  }
  parts.summary = summary(record->first, sha256_hex(parts.record), record->second, *checkpoint,
                          key.value().key_id(), parts.request_body.has_value(),
                          parts.response_body.has_value());
  return render_parts(parts);
}

Result<EvidenceCheck> verify_evidence(std::string_view file, const audit::TsaTrust* pinned) {
  auto read = read_parts(file);
  if (!read.has_value())
    return std::move(read).error();
  const EvidenceParts& parts = read.value();
  EvidenceCheck check;

  // The record, as its chain hashed it.
  if (parts.record.size() <= 32)
    return failed("record", "too short to hold a link and a record");
  const auto decoded = audit::decode_canonical_encoding(std::string_view(parts.record).substr(32));
  if (!decoded)
    return failed("record", "not a Lienthong audit record as its chain encodes it");
  std::tie(check.seq, check.record) = *decoded;
  check.record_hash = sha256_hex(parts.record);

  // The checkpoint that seals it, and the path up the tree it signs.
  const auto checkpoint = read_checkpoint(parts.checkpoint);
  if (!checkpoint)
    return failed("checkpoint", "not a checkpoint that signs its records' tree");
  if (checkpoint->node != check.record.node || checkpoint->sealed.from_seq > check.seq ||
      checkpoint->seq < check.seq)
    return failed("checkpoint", "does not seal record " + std::to_string(check.seq) + " of " +
                                    json_quoted(check.record.node));
  check.checkpoint_seq = checkpoint->seq;
  const auto path = read_path(parts.tree_path);
  if (!path)
    return failed("tree path", "not lines of \"left|right <64 hex digits>\"");
  const auto from = checkpoint->sealed.from_seq;
  const auto shape = path_shape(static_cast<std::size_t>(checkpoint->seq - from + 1),
                                static_cast<std::size_t>(check.seq - from));
  bool shaped = shape.size() == path->size();
  for (std::size_t i = 0; shaped && i < shape.size(); ++i)
    shaped = shape[i] == (*path)[i].sibling_on_left;
  if (!shaped)
    return failed("tree path", "not the path of record " + std::to_string(check.seq) +
                                   " in the tree of records " + std::to_string(from) + " to " +
                                   std::to_string(checkpoint->seq));
  if (audit::climb_tree(check.record_hash, *path) != checkpoint->sealed.root)
    return failed("tree path",
                  "the record does not climb to the root its checkpoint signs: the "
                  "record or the path was changed");

  // The node's signature of the checkpoint.
  const auto key = audit::VerifyingKey::from_pem(parts.public_key_pem);
  if (!key.has_value())
    return failed("public key", key.error().detail);
  check.key_id = key.value().key_id();
  if (!key.value().verify(parts.checkpoint, parts.signature))
    return failed("checkpoint signature",
                  "does not verify with the node's public key: the checkpoint, its signature or "
                  "the key was changed");

  // The batch the authority dated, which lists the checkpoint.
  const auto entries = audit::parse_timestamp_batch(check.record.node, parts.batch);
  if (!entries)
    return failed("timestamp batch", "not a batch of this node's checkpoints");
  const std::string stamped =
      sha256_hex(parts.checkpoint + "\n" + base64_encode(parts.signature) + "\n");
  bool listed = false;
  for (const auto& entry : *entries)
    listed = listed || (entry.seq == checkpoint->seq && entry.digest == stamped);
  if (!listed)
    return failed("timestamp batch", "does not list checkpoint " + std::to_string(checkpoint->seq) +
                                         " with the digest of its text and signature");

  // The authority's token over the batch: against the file's certificates,
  // and the checker's own copy of them when given.
  const auto carried = audit::TsaTrust::from_pem(parts.certificates_pem);
  if (!carried.has_value())
    return failed("certificate", carried.error().detail);
  if (carried.value().pem() != parts.certificates_pem)
    return failed("certificate", "not certificates as PEM writes them");
  if (auto whole = carried.value().check_signed_within(); !whole.has_value())
    return failed("certificate", whole.error().detail);
  const std::string imprint = sha256(parts.batch);
  for (const audit::TsaTrust* trust : {&carried.value(), pinned}) {
    if (!trust)
      continue;
    auto token = audit::verify_timestamp_token(parts.token, imprint, *trust);
    if (!token.has_value())
      return failed("timestamp token",
                    std::string(trust == pinned ? "against the pinned authority: "
                                                : "against the file's certificates: ") +
                        token.error().detail);
    check.token = std::move(token).value();
  }
  check.tsa_ca_fingerprints = fingerprints(parts.certificates_pem);

  // The bodies, where the file has them.
  if (parts.request_body && sha256_hex(*parts.request_body) != check.record.request_sha256)
    return failed("request body", "does not match the SHA-256 its record holds");
  if (parts.response_body && sha256_hex(*parts.response_body) != check.record.response_sha256)
    return failed("response body", "does not match the SHA-256 its record holds");
  check.request_body = parts.request_body.has_value();
  check.response_body = parts.response_body.has_value();

  // Nothing else: the file is exactly what the hub writes for these parts.
  EvidenceParts expected = parts;
  expected.summary = summary(check.seq, check.record_hash, check.record, *checkpoint, check.key_id,
                             check.request_body, check.response_body);
  if (render_parts(expected) != file) {
    const std::string written = render_parts(expected);
    std::size_t at = 0;
    while (at < written.size() && at < file.size() && written[at] == file[at])
      ++at;
    const auto line = 1 + std::count(file.begin(), file.begin() + static_cast<long>(at), '\n');
    return failed("the file", "line " + std::to_string(line) +
                                  " differs from what the hub writes for these parts (the "
                                  "summary states only what the parts prove)");
  }
  return check;
}

}  // namespace lienthong::evidence

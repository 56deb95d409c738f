#include "lienthong/audit/record_proof.hpp"

#include <tuple>

#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"

#include "record_rows.hpp"

namespace lienthong::audit {
namespace {

Error not_yet(const std::string& why) {
  return Error{ErrorCode::kClientConflict, why + "; ask again then"};
}

}  // namespace

Result<RecordProof> load_record_proof(pqxx::transaction_base& tx, std::int64_t id,
                                      BodyOpener* opener) {
  const auto rows = tx.exec_params("SELECT " + record_columns() +
                                       ", request_body, response_body FROM audit_records "
                                       "WHERE id = $1 AND seq IS NOT NULL",
                                   id);
  if (rows.empty())
    return make_error(ErrorCode::kClientNotFound, "no audit record " + std::to_string(id));
  const auto& row = rows[0];
  const auto seq = row[1].as<std::int64_t>();
  const auto link = row[2].as<std::string>();
  const AuditRecord record = record_from_row(row);
  RecordProof proof;
  proof.encoding = canonical_encoding(seq, record);
  if (!row[kRecordColumnCount].is_null())
    proof.request_body = pqxx::binarystring(row[kRecordColumnCount]).str();
  if (!row[kRecordColumnCount + 1].is_null())
    proof.response_body = pqxx::binarystring(row[kRecordColumnCount + 1]).str();
  if (record.bodies_key) {
    for (auto [body, field, sha256] :
         {std::tuple{&proof.request_body, "request", &record.request_sha256},
          std::tuple{&proof.response_body, "response", &record.response_sha256}}) {
      if (*body && opener)
        *body = opener->open(*record.bodies_key, record.request_id, field, **body, *sha256);
      else
        body->reset();
    }
  }

  // The link it chains on: the record before it, or where an archive ended.
  if (seq == 1) {
    proof.previous_link = std::string(kGenesisHash);
  } else {
    const auto before = tx.exec_params(
        "SELECT record_hash FROM audit_records WHERE node = $1 AND seq = $2 UNION ALL "
        "SELECT last_hash FROM audit_archives WHERE node = $1 AND last_seq = $2 LIMIT 1",
        record.node, seq - 1);
    if (before.empty())
      return make_error(ErrorCode::kClientConflict,
                        "the record before it is neither in the database nor at an archive's end");
    proof.previous_link = before[0][0].as<std::string>();
  }
  if (chain_hash(proof.previous_link, seq, record) != link)
    return make_error(ErrorCode::kServerInternal,
                      "the stored record does not hash to its link: run lienthong audit verify");

  // The first checkpoint at or after it, which must sign the records' tree.
  const auto sealing = tx.exec_params(
      "SELECT id, seq, record_hash, " + micros_column("signed_at") +
          ", key_id, signature, from_seq, records_root FROM audit_checkpoints WHERE node = $1 AND "
          "seq >= $2 ORDER BY seq LIMIT 1",
      record.node, seq);
  if (sealing.empty())
    return not_yet("record " + std::to_string(id) +
                   " is not sealed by a checkpoint yet: one comes within "
                   "audit.checkpoint_seconds while records arrive");
  const auto& c = sealing[0];
  const SealedRecords sealed = sealed_records(c[6], c[7]);
  if (sealed.root.empty() || sealed.from_seq > seq)
    return make_error(ErrorCode::kClientConflict,
                      "record " + std::to_string(id) +
                          " is sealed by a checkpoint from before per-exchange proofs; the whole "
                          "chain verifies with lienthong audit verify");
  const auto checkpoint_seq = c[1].as<std::int64_t>();
  proof.checkpoint = checkpoint_message(record.node, checkpoint_seq, c[2].as<std::string>(),
                                        c[3].as<std::int64_t>(), sealed);
  proof.signature_base64 = c[5].as<std::string>();
  std::vector<std::string> leaves;
  for (const auto& leaf :
       tx.exec_params("SELECT record_hash FROM audit_records WHERE node = $1 AND seq >= $2 AND "
                      "seq <= $3 ORDER BY seq",
                      record.node, sealed.from_seq, checkpoint_seq))
    leaves.push_back(leaf[0].as<std::string>());
  if (leaves.size() != static_cast<std::size_t>(checkpoint_seq - sealed.from_seq + 1))
    return make_error(ErrorCode::kClientConflict,
                      "records its checkpoint seals were archived out of the database");
  proof.path = tree_path(std::move(leaves), static_cast<std::size_t>(seq - sealed.from_seq));
  const auto key =
      tx.exec_params("SELECT public_key FROM audit_signing_keys WHERE node = $1 AND key_id = $2",
                     record.node, c[4].as<std::string>());
  if (key.empty())
    return make_error(ErrorCode::kServerInternal, "the checkpoint's key is not registered");
  proof.public_key_pem = key[0][0].as<std::string>();

  // The first token whose batch lists the checkpoint.
  const std::string digest = sha256_hex(proof.checkpoint + "\n" + proof.signature_base64 + "\n");
  for (const auto& token : tx.exec_params(
           "SELECT t.batch, t.token FROM audit_timestamps t JOIN audit_checkpoints c ON c.id = "
           "t.checkpoint_id WHERE c.node = $1 AND c.seq >= $2 AND t.batch IS NOT NULL ORDER BY "
           "c.seq LIMIT 2",
           record.node, checkpoint_seq)) {
    const auto batch = token[0].as<std::string>();
    const auto entries = parse_timestamp_batch(record.node, batch);
    if (!entries)
      continue;
    for (const auto& entry : *entries) {
      if (entry.seq == checkpoint_seq && entry.digest == digest) {
        proof.batch = batch;
        proof.token_der = pqxx::binarystring(token[1]).str();
        return proof;
      }
    }
  }
  return not_yet("the checkpoint sealing record " + std::to_string(id) +
                 " has no trusted timestamp yet: one comes within audit.timestamp_seconds");
}

}  // namespace lienthong::audit

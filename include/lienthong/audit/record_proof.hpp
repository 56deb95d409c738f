#pragma once
// What proves one audit record (issue 24), read from PostgreSQL: the record
// as hashed, the tree path from its link to the root its checkpoint signs,
// the checkpoint and the node's key, and the trusted timestamp over the
// batch that lists the checkpoint. Self-contained: the evidence layer
// writes it out as a file that needs nothing else to be checked.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lienthong/audit/body_keys.hpp"
#include "lienthong/audit/records_tree.hpp"
#include "lienthong/core/result.hpp"

namespace pqxx {
class transaction_base;
}

namespace lienthong::audit {

struct RecordProof {
  std::string previous_link;  // 64 hex digits: the link the record's hash chains on
  std::string encoding;       // canonical_encoding(seq, record)
  std::vector<TreeStep> path;
  std::string checkpoint;                   // checkpoint_message() of a v2 checkpoint
  std::string signature_base64;             // the node's Ed25519 signature of it
  std::string public_key_pem;               // the key that signed it
  std::string batch;                        // timestamp_batch() listing the checkpoint
  std::string token_der;                    // the authority's token over the batch's SHA-256
  std::optional<std::string> request_body;  // as kept (audit_bodies = full)
  std::optional<std::string> response_body;
};

// The proof of audit_records row `id`. Client.NotFound without such a row;
// Client.Conflict while no v2 checkpoint seals it or no token covers that
// checkpoint yet (the detail says which, and that it comes within
// audit.checkpoint_seconds and audit.timestamp_seconds), or when its
// neighbours were archived out of the database. Sealed bodies are opened
// with `opener` (body_keys.hpp); without one, or when their month's key was
// shredded, the proof holds no body.
Result<RecordProof> load_record_proof(pqxx::transaction_base& tx, std::int64_t id,
                                      BodyOpener* opener = nullptr);

}  // namespace lienthong::audit

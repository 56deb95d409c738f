#pragma once
// One exchange's evidence as a file (issue 24, docs/evidence.md): a text
// file a court or an inspector can check with nothing else. A readable
// summary, then armored parts: the record as hashed, the path up its
// checkpoint's tree, the checkpoint, its signature and the node's public
// key, the trusted timestamp's batch and token, the authority's
// certificates, and the bodies where they are kept and shown to the caller.
// Every byte counts: the verifier checks each part and then that the file
// is exactly what the hub writes for those parts.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/audit/record_proof.hpp"
#include "lienthong/audit/trusted_timestamp.hpp"
#include "lienthong/core/result.hpp"

namespace lienthong::evidence {

// The file for `proof`, carrying `tsa_certificates_pem` (the authority's CA
// as the hub pins it). `with_bodies`: false leaves kept bodies out.
std::string write_evidence(const audit::RecordProof& proof, const std::string& tsa_certificates_pem,
                           bool with_bodies = true);

// What a file was found to prove.
struct EvidenceCheck {
  std::int64_t seq = 0;
  std::string record_hash;
  audit::AuditRecord record;
  std::int64_t checkpoint_seq = 0;
  std::string key_id;  // SHA-256 of the node's raw public key
  audit::TimestampToken token;
  std::vector<std::string> tsa_ca_fingerprints;  // SHA-256 of each certificate's DER
  bool request_body = false;
  bool response_body = false;
};

// Checks a file part by part. The token is checked against the file's own
// certificates and, when given, against `pinned` too (the authority's CA as
// the checker obtained it). Client.InvalidInput naming the first part that
// does not hold.
Result<EvidenceCheck> verify_evidence(std::string_view file,
                                      const audit::TsaTrust* pinned = nullptr);

}  // namespace lienthong::evidence

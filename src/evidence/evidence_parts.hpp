#pragma once
// Private to src/evidence/: the parts of an evidence file and the file's
// one written form. Reading gives the parts back without judging them;
// exchange_evidence.cpp checks them.

#include <optional>
#include <string>
#include <string_view>

#include "lienthong/core/result.hpp"

namespace lienthong::evidence {

struct EvidenceParts {
  std::string summary;           // the readable lines before the first part
  std::string record;            // raw previous link (32 bytes) || canonical encoding
  std::string tree_path;         // "left <hex>\n" / "right <hex>\n", leaf to root
  std::string checkpoint;        // the signed checkpoint text
  std::string signature;         // raw Ed25519 signature (64 bytes)
  std::string public_key_pem;    // the node's key, PEM
  std::string batch;             // the timestamped batch text
  std::string token;             // DER TimeStampToken
  std::string certificates_pem;  // the authority's CA, PEM, one or more
  std::optional<std::string> request_body;
  std::optional<std::string> response_body;
};

// The file: `parts.summary`, a blank line, then each part armored in a fixed
// order ("-----BEGIN LIENTHONG RECORD-----", base64 in lines of 64; the key
// and certificates as the PEM they are).
std::string render_parts(const EvidenceParts& parts);

// The parts of a file laid out as render_parts() writes; Client.InvalidInput
// ("the file: ...") when the layout is not that.
Result<EvidenceParts> read_parts(std::string_view file);

}  // namespace lienthong::evidence

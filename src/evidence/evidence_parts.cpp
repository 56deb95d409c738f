#include "evidence_parts.hpp"

#include <optional>
#include <vector>

#include "lienthong/core/digest.hpp"

namespace lienthong::evidence {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

// `bytes` in base64, 64 characters a line, as OpenSSL writes PEM.
std::string base64_lines(std::string_view bytes) {
  const std::string text = base64_encode(bytes);
  std::string out;
  for (std::size_t at = 0; at < text.size(); at += 64)
    out += text.substr(at, 64) + "\n";
  return out;
}

void armor(std::string& out, std::string_view label, std::string_view bytes) {
  out += std::string(kBegin) + "LIENTHONG " + std::string(label) + std::string(kDashes) + "\n";
  out += base64_lines(bytes);
  out += std::string(kEnd) + "LIENTHONG " + std::string(label) + std::string(kDashes) + "\n";
}

// True when a PEM block's lines are the one base64 text of their bytes.
// Base64 has spare bits in its last digit before "=", which decoders
// ignore: a changed spare bit would decode to the same key or certificate,
// and a PEM block is kept as written, so it must be checked as text.
bool canonical_pem_body(const std::string& body) {
  std::string text;
  for (const char c : body)
    if (c != '\n')
      text += c;
  const auto bytes = base64_decode(text);
  return bytes && base64_lines(*bytes) == body;
}

void append_pem(std::string& out, const std::string& pem) {
  out += pem;
  if (!pem.empty() && pem.back() != '\n')
    out += '\n';
}

// One armored block as found: its label and the lines between.
struct Block {
  std::string label;
  std::string body;  // the lines between BEGIN and END, newlines kept
  std::string text;  // the whole block, BEGIN and END lines included
};

Error bad_layout(const std::string& why) {
  return Error{ErrorCode::kClientInvalidInput, "the file: " + why};
}

}  // namespace

std::string render_parts(const EvidenceParts& parts) {
  std::string out = parts.summary;
  out += '\n';
  armor(out, "RECORD", parts.record);
  armor(out, "TREE PATH", parts.tree_path);
  armor(out, "CHECKPOINT", parts.checkpoint);
  armor(out, "CHECKPOINT SIGNATURE", parts.signature);
  append_pem(out, parts.public_key_pem);
  armor(out, "TIMESTAMP BATCH", parts.batch);
  armor(out, "TIMESTAMP TOKEN", parts.token);
  append_pem(out, parts.certificates_pem);
  if (parts.request_body)
    armor(out, "REQUEST BODY", *parts.request_body);
  if (parts.response_body)
    armor(out, "RESPONSE BODY", *parts.response_body);
  return out;
}

Result<EvidenceParts> read_parts(std::string_view file) {
  EvidenceParts parts;
  const auto first = file.find(std::string("\n") + std::string(kBegin));
  if (first == std::string_view::npos || first == 0 || file[first - 1] != '\n')
    return bad_layout("no summary and blank line before the parts");
  parts.summary = std::string(file.substr(0, first));
  std::string_view rest = file.substr(first + 1);
  std::vector<Block> blocks;
  while (!rest.empty()) {
    const auto line_end = rest.find('\n');
    const std::string_view begin = rest.substr(0, line_end);
    if (line_end == std::string_view::npos || !begin.starts_with(kBegin) ||
        !begin.ends_with(kDashes) || begin.size() <= kBegin.size() + kDashes.size())
      return bad_layout("text where a part should begin: " + std::string(begin.substr(0, 60)));
    Block block;
    block.label = std::string(begin.substr(kBegin.size(), begin.size() - kBegin.size() - 5));
    const std::string end = std::string(kEnd) + block.label + std::string(kDashes) + "\n";
    const auto end_at = rest.find(end, line_end + 1);
    if (end_at == std::string_view::npos || (end_at != line_end + 1 && rest[end_at - 1] != '\n'))
      return bad_layout("the part " + block.label + " does not end");
    block.body = std::string(rest.substr(line_end + 1, end_at - line_end - 1));
    block.text = std::string(rest.substr(0, end_at + end.size()));
    rest.remove_prefix(end_at + end.size());
    blocks.push_back(std::move(block));
  }
  std::size_t next = 0;
  const auto take = [&](std::string_view label, std::string& into) -> Status {
    if (next >= blocks.size() || blocks[next].label != "LIENTHONG " + std::string(label))
      return bad_layout("the part LIENTHONG " + std::string(label) + " is missing or out of place");
    std::string text;
    for (const char c : blocks[next].body)
      if (c != '\n')
        text += c;
    auto bytes = base64_decode(text);
    if (!bytes)
      return Error{ErrorCode::kClientInvalidInput,
                   "the part LIENTHONG " + std::string(label) + " is not base64"};
    into = std::move(*bytes);
    ++next;
    return Ok{};
  };
  std::optional<std::string> not_canonical;
  const auto take_pem = [&](std::string_view label, std::string& into) {
    while (next < blocks.size() && blocks[next].label == label) {
      if (!canonical_pem_body(blocks[next].body))
        not_canonical = std::string(label);
      into += blocks[next++].text;
    }
    return !into.empty();
  };
  for (const auto& [label, into] :
       {std::pair<std::string_view, std::string*>{"RECORD", &parts.record},
        {"TREE PATH", &parts.tree_path},
        {"CHECKPOINT", &parts.checkpoint},
        {"CHECKPOINT SIGNATURE", &parts.signature}}) {
    if (auto taken = take(label, *into); !taken.has_value())
      return std::move(taken).error();
  }
  if (!take_pem("PUBLIC KEY", parts.public_key_pem))
    return bad_layout("the node's PUBLIC KEY is missing or out of place");
  for (const auto& [label, into] :
       {std::pair<std::string_view, std::string*>{"TIMESTAMP BATCH", &parts.batch},
        {"TIMESTAMP TOKEN", &parts.token}}) {
    if (auto taken = take(label, *into); !taken.has_value())
      return std::move(taken).error();
  }
  if (!take_pem("CERTIFICATE", parts.certificates_pem))
    return bad_layout("the authority's CERTIFICATE is missing or out of place");
  for (auto [label, into] : {std::pair<std::string_view, std::optional<std::string>*>{
                                 "REQUEST BODY", &parts.request_body},
                             {"RESPONSE BODY", &parts.response_body}}) {
    if (next < blocks.size() && blocks[next].label == "LIENTHONG " + std::string(label)) {
      std::string body;
      if (auto taken = take(label, body); !taken.has_value())
        return std::move(taken).error();
      *into = std::move(body);
    }
  }
  if (next != blocks.size())
    return bad_layout("an unexpected part " + blocks[next].label);
  if (not_canonical)
    return bad_layout("the " + *not_canonical +
                      " is not the base64 the hub writes for its bytes (a spare bit changed)");
  return parts;
}

}  // namespace lienthong::evidence

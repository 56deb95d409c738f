#pragma once
// The audit hash chain. Each node's records are numbered 1, 2, 3, ... (seq)
// and linked:  record_hash = SHA-256(previous record_hash || encoding(seq, record)),
// the first record linking to kGenesisHash. Changing, removing or reordering
// any record breaks every link after it; signed checkpoints (see
// signing_key.hpp) pin the chain's head so a truncated tail shows too.

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lienthong/audit/audit_record.hpp"

namespace lienthong::audit {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// A link as stored: 64 lowercase hex digits (what the tables' CHECK allows).
inline bool is_chain_link(std::string_view text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The canonical bytes that are hashed: a version tag, then every field in a
// fixed order as "<length>:<bytes>", absent timestamps as "~", times as
// microseconds since the epoch (PostgreSQL's precision, so what is read back
// encodes identically). A record that crossed a peer hub is tagged
// "lienthong-audit-v2" and ends with its six peer fields; every other record
// keeps the v1 encoding, so chains written before federation still verify.
std::string canonical_encoding(std::int64_t seq, const AuditRecord& record);
// The seq and record of an encoding; nullopt unless `encoding` is exactly
// what canonical_encoding() writes for them.
std::optional<std::pair<std::int64_t, AuditRecord>> decode_canonical_encoding(
    std::string_view encoding);
// True when any peer field is set: the record is encoded as v2.
bool crossed_a_peer(const AuditRecord& record);

// The peer fields in their fixed order (encoding, columns, archives):
// upstream instance and assertion, downstream instance, assertion, request
// id and record hash.
inline std::array<const std::string*, 6> peer_fields(const AuditRecord& r) {
  return {&r.upstream_instance,    &r.upstream_assertion,    &r.downstream_instance,
          &r.downstream_assertion, &r.downstream_request_id, &r.downstream_record_hash};
}
inline std::array<std::string*, 6> peer_fields(AuditRecord& r) {
  return {&r.upstream_instance,    &r.upstream_assertion,    &r.downstream_instance,
          &r.downstream_assertion, &r.downstream_request_id, &r.downstream_record_hash};
}
// Their column names, in the same order.
inline constexpr std::array<const char*, 6> kPeerColumns = {
    "upstream_instance",    "upstream_assertion",    "downstream_instance",
    "downstream_assertion", "downstream_request_id", "downstream_record_hash"};

// Lower-case hex SHA-256(raw(previous_hash) || canonical_encoding(seq, record)).
std::string chain_hash(std::string_view previous_hash, std::int64_t seq, const AuditRecord& record);

// Admin changes (admin_changes rows) form one more chain, named kAdminChain
// in audit_checkpoints: PostgreSQL extends it in the transaction that makes
// each change (migration 0005); audit writers sign its head into their
// checkpoints; the verifier rebuilds the encoding here independently.
inline constexpr std::string_view kAdminChain = "admin-changes";

struct AdminChange {
  std::int64_t seq = 0;
  std::int64_t id = 0;
  std::int64_t at_micros = 0;
  std::string actor;
  std::string actor_role;
  std::string action;
  std::string entity;
  std::int64_t entity_id = 0;
  std::string member_ids;             // as PostgreSQL prints bigint[]: "{1,2}"
  std::optional<std::string> before;  // as PostgreSQL prints jsonb
  std::optional<std::string> after;
};

// "lienthong-admin-change-v1" then each field as "<length>:<bytes>" ("~"
// for NULL), in the order above: what lt_admin_change_encoding() builds.
std::string admin_change_encoding(const AdminChange& change);
std::string admin_change_hash(std::string_view previous_hash, const AdminChange& change);

// Audited reads (audit_reads rows, migration 0017) form the chain
// kReadsChain, linked by PostgreSQL and sealed like the admin changes.
inline constexpr std::string_view kReadsChain = "audit-reads";

struct AuditRead {
  std::int64_t seq = 0;
  std::int64_t id = 0;
  std::int64_t at_micros = 0;
  std::string actor;
  std::string actor_role;
  std::optional<std::string> scope;  // the member id, as text
  std::string endpoint;
  std::string filter;
  std::string record_ids;  // as PostgreSQL prints bigint[]
  std::int64_t returned = 0;
  std::string member_ids;
};

// "lienthong-audit-read-v1" then each field as "<length>:<bytes>" ("~" for
// NULL), in the order above: what lt_audit_read_encoding() builds.
std::string audit_read_encoding(const AuditRead& read);
std::string audit_read_hash(std::string_view previous_hash, const AuditRead& read);

// The chains PostgreSQL links itself, which every node's key seals
// alongside its own: the admin changes and the audited reads, with their
// tables.
struct LinkedChain {
  std::string_view name;
  std::string_view table;
};
inline constexpr std::array<LinkedChain, 2> kLinkedChains{
    {{kAdminChain, "admin_changes"}, {kReadsChain, "audit_reads"}}};
inline bool is_linked_chain(std::string_view chain) {
  return chain == kAdminChain || chain == kReadsChain;
}

// Makes every text field storable as PostgreSQL text: invalid UTF-8 and NUL
// become U+FFFD. Done before hashing, so the hash covers what is stored, and
// so one request with odd bytes cannot fail the batch it shares with others.
void make_storable(AuditRecord& record);

// What a checkpoint signs: "lienthong-audit-checkpoint-v1\n" node, seq,
// record hash and signing time (microseconds), one per line. A checkpoint
// of a node's record chain written since issue 24 also signs the records
// it seals: "-v2", then two more lines, the first seq it seals and the root
// of the tree over their links (records_tree.hpp).
struct SealedRecords {
  std::int64_t from_seq = 0;
  std::string root;  // empty: a v1 checkpoint
};
std::string checkpoint_message(std::string_view node, std::int64_t seq,
                               std::string_view record_hash, std::int64_t signed_at_micros,
                               const SealedRecords& sealed = {});

// What a checkpoint's trusted timestamp covers (RFC 3161, issue 24): the
// text it signs, then its base64 signature on a line of its own, so that the
// authority dates the signature as well. A token covers one such text (the
// first tokens) or a batch of their SHA-256 digests (timestamp_batch()).
std::string timestamped_checkpoint_text(std::string_view node, std::int64_t seq,
                                        std::string_view record_hash, std::int64_t signed_at_micros,
                                        std::string_view signature_base64,
                                        const SealedRecords& sealed = {});

// A batch of one chain's checkpoints under one token:
// "lienthong-timestamp-batch-v1\n<chain>\n" then "<seq> <digest>\n" for each
// checkpoint, in seq order, digest = SHA-256 hex of its timestamped text.
// The token's imprint is the SHA-256 of these bytes.
struct BatchEntry {
  std::int64_t seq = 0;
  std::string digest;
};
std::string timestamp_batch(std::string_view chain, const std::vector<BatchEntry>& entries);
// The entries of a batch text for `chain`; nullopt unless the text is
// exactly what timestamp_batch() writes (seqs rising).
std::optional<std::vector<BatchEntry>> parse_timestamp_batch(std::string_view chain,
                                                             std::string_view text);

// Microseconds since the epoch, rounded down (PostgreSQL timestamptz precision).
std::int64_t to_micros(TimePoint time);
TimePoint from_micros(std::int64_t micros);  // within the range below
// Whether `micros` is a time system_clock holds (its nanoseconds reach the
// years 1678 to 2261): what is read from outside is checked before
// from_micros(), whose conversion would overflow.
inline bool is_time_point_micros(std::int64_t micros) {
  constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / 1000;
  return micros > -kLimit && micros < kLimit;
}

// The UTC month of a time: the audit log's partitions and archives are monthly.
std::chrono::year_month utc_month(TimePoint time);
// "2026-11", and back (nullopt for anything else).
std::string month_text(std::chrono::year_month month);
std::optional<std::chrono::year_month> parse_month(std::string_view text);
// 00:00 UTC on the month's first day.
TimePoint month_start(std::chrono::year_month month);

}  // namespace lienthong::audit

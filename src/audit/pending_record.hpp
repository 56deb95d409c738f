#pragma once
// Private to audit/: a record on its way from the request that waits for it
// to the writer thread, and what the log says when the wait ends without a
// confirmed commit.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include "lienthong/audit/audit_record.hpp"

namespace lienthong::audit {

using Completion = boost::asio::any_completion_handler<void(boost::system::error_code)>;

// Where a record stands between the request that waits for it and the
// writer. The request may stop waiting (audit.commit_timeout_ms); then what
// the caller was told (503) must be what the log says.
enum class Claim : std::uint8_t {
  kWaiting,              // queued, its request waiting
  kTaken,                // in a batch being written, its request waiting
  kCommitted,            // durable; the request is told so
  kFailed,               // not written; the request is told so
  kAbandoned,            // the request gave up (answered 503) before a batch took it
  kAbandonedAfterTaken,  // the request gave up while its batch was being written
};

// What a waiting request and the writer share: the record's claim, and its
// place in the chain, written before the claim becomes kCommitted (so a
// request that sees kCommitted, or is completed, reads it whole).
struct Ticket {
  std::atomic<Claim> claim{Claim::kWaiting};
  RecordReceipt receipt;
};

// A waiting request: its handler, the I/O executor it must resume on and
// its ticket. Follow-up records the writer adds itself have none.
struct Waiter {
  Completion handler;
  boost::asio::any_io_executor executor;
  std::shared_ptr<Ticket> ticket;
};

// Resumes the waiting request on its own I/O thread, never on the writer's.
void complete(Waiter waiter, boost::system::error_code ec);

struct Pending {
  AuditRecord record;
  Waiter done;
};

// Resumes every waiting request of a batch, with one post per I/O thread
// (core/grouped_posts.hpp says why).
void complete_all(std::vector<Pending>& batch, boost::system::error_code ec);

// Moves a claim from `from` to `to`; false if it was elsewhere.
inline bool move_claim(std::atomic<Claim>& claim, Claim from, Claim to) {
  return claim.compare_exchange_strong(from, to);
}

// The record of what a caller was really answered when its exchange's record
// could not be confirmed in time: 503 Server.AuditUnavailable, no body. When
// it follows a record that did commit, the later record of a request_id is
// the one that says what the caller got (docs/architecture.md, Audit log).
AuditRecord as_unavailable(AuditRecord record, TimePoint answered_at);

}  // namespace lienthong::audit

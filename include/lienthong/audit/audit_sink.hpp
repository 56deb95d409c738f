#pragma once
// Where the exchange pipeline hands its audit records. `commit` completes
// only once the record is durable; a failure means the exchange must not be
// answered as a success (the hub fails closed).

#include <string>

#include <boost/asio/awaitable.hpp>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/core/result.hpp"

namespace lienthong::audit {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // The record's place in the chain once durable; Server.AuditUnavailable
  // when it could not be committed.
  virtual boost::asio::awaitable<Result<RecordReceipt>> commit(AuditRecord record) = 0;
  // False while the sink already knows a record would not commit now (its
  // last batch failed and the database has not come back, or records wait
  // past their timeout). The pipeline then calls no provider: a provider
  // must not act on a request the hub cannot record.
  virtual bool accepting() const { return true; }
  // Why not, when accepting() is false: the detail of the 503.
  virtual std::string refusal() const { return "the audit log cannot be written now"; }
};

}  // namespace lienthong::audit

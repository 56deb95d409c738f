#pragma once
// Where the exchange pipeline hands its audit records. `commit` completes
// only once the record is durable; a failure means the exchange must not be
// answered as a success (the hub fails closed).

#include <boost/asio/awaitable.hpp>

#include "lienthong/audit/audit_record.hpp"
#include "lienthong/core/result.hpp"

namespace lienthong::audit {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Server.AuditUnavailable when the record could not be committed.
  virtual boost::asio::awaitable<Status> commit(AuditRecord record) = 0;
};

}  // namespace lienthong::audit

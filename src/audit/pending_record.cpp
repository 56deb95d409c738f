#include "pending_record.hpp"

#include <boost/asio/post.hpp>

namespace lienthong::audit {

void complete(Waiter waiter, boost::system::error_code ec) {
  if (!waiter.handler)
    return;
  boost::asio::post(waiter.executor, [handler = std::move(waiter.handler), ec]() mutable {
    std::move(handler)(ec);
  });
}

AuditRecord as_unavailable(AuditRecord record, TimePoint answered_at) {
  record.status = 503;
  record.error_code = "Server.AuditUnavailable";
  record.response_bytes = 0;
  record.response_sha256.clear();
  record.response_body.reset();
  record.responded_at = answered_at;
  return record;
}

}  // namespace lienthong::audit

#include "pending_record.hpp"

#include <boost/asio/post.hpp>

#include "lienthong/core/grouped_posts.hpp"

namespace lienthong::audit {

void complete(Waiter waiter, boost::system::error_code ec) {
  if (!waiter.handler)
    return;
  boost::asio::post(waiter.executor, [handler = std::move(waiter.handler), ec]() mutable {
    std::move(handler)(ec);
  });
}

void complete_all(std::vector<Pending>& batch, boost::system::error_code ec) {
  GroupedPosts<Completion> posts;
  for (auto& pending : batch) {
    if (pending.done.handler)
      posts.add(pending.done.executor, std::move(pending.done.handler));
  }
  posts.post_all(ec);
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

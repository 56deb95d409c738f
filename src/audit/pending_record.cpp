#include "pending_record.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

#include <boost/asio/post.hpp>

namespace lienthong::audit {

void complete(Waiter waiter, boost::system::error_code ec) {
  if (!waiter.handler)
    return;
  boost::asio::post(waiter.executor, [handler = std::move(waiter.handler), ec]() mutable {
    std::move(handler)(ec);
  });
}

void complete_all(std::vector<Pending>& batch, boost::system::error_code ec) {
  // Few I/O threads: a short list of (executor, its handlers) beats a map.
  std::vector<std::pair<boost::asio::any_io_executor, std::vector<Completion>>> by_thread;
  for (auto& pending : batch) {
    auto& waiter = pending.done;
    if (!waiter.handler)
      continue;
    auto same = std::find_if(by_thread.begin(), by_thread.end(),
                             [&](const auto& entry) { return entry.first == waiter.executor; });
    if (same == by_thread.end()) {
      by_thread.emplace_back(waiter.executor, std::vector<Completion>{});
      same = std::prev(by_thread.end());
    }
    same->second.push_back(std::move(waiter.handler));
  }
  for (auto& [executor, handlers] : by_thread) {
    boost::asio::post(executor, [handlers = std::move(handlers), ec]() mutable {
      for (auto& handler : handlers)
        std::move(handler)(ec);
    });
  }
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

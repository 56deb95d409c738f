#pragma once
// Resuming many waiting requests from one worker thread (the audit writer,
// the submission committer): one post per I/O thread, not one per request.
// Each post may wake its I/O thread, and on a busy machine a woken thread
// takes the worker's core while the worker still has the next batch to send.

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

namespace lienthong {

template <class Handler>
class GroupedPosts {
 public:
  // `handler` is to run on `executor` (its request's own I/O thread).
  void add(const boost::asio::any_io_executor& executor, Handler handler) {
    auto group = std::find_if(groups_.begin(), groups_.end(),
                              [&](const Group& g) { return g.executor == executor; });
    if (group == groups_.end()) {
      groups_.push_back(Group{executor, {}});
      group = std::prev(groups_.end());
    }
    group->handlers.push_back(std::move(handler));
  }

  // Posts each executor's handlers together; each is called with `args`.
  template <class... Args>
  void post_all(const Args&... args) {
    for (auto& group : groups_) {
      boost::asio::post(group.executor, [handlers = std::move(group.handlers), args...]() mutable {
        for (auto& handler : handlers)
          std::move(handler)(args...);
      });
    }
    groups_.clear();
  }

 private:
  struct Group {
    boost::asio::any_io_executor executor;
    std::vector<Handler> handlers;
  };
  std::vector<Group> groups_;  // a few I/O threads: a list beats a map
};

}  // namespace lienthong

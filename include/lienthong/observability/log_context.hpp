#pragma once
// Log lines that carry the request they are about. A LogScope names the
// request (and its trace) for the log calls made while it lives on this
// thread; the formatters add those fields to every such line. Loggers here
// format on the calling thread (synchronous sinks), which is what makes a
// thread-local scope enough. A scope must not live across a co_await: the
// thread serves other requests while the coroutine is suspended.

#include <memory>
#include <optional>
#include <string_view>

namespace spdlog {
class logger;
}

namespace lienthong::observability {

struct LogFields {
  std::string_view request_id;
  std::string_view trace_id;
};

class LogScope {
 public:
  explicit LogScope(std::string_view request_id, std::string_view trace_id = {});
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

 private:
  LogFields fields_;
  const LogFields* previous_;
};

// The innermost scope on this thread, or null.
const LogFields* current_log_fields();

enum class LogFormat {
  kText,  // 2026-11-29T10:00:00.123+0000 info [thread] message request_id=... trace_id=...
  kJson,  // one JSON object per line: time, level, thread, msg, request_id, trace_id
};
std::optional<LogFormat> parse_log_format(std::string_view name);  // "text" or "json"

// A logger writing to standard output in `format`, registered as `name`.
std::shared_ptr<spdlog::logger> make_stdout_logger(const std::string& name, LogFormat format);

}  // namespace lienthong::observability

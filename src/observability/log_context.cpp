#include "lienthong/observability/log_context.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "lienthong/core/timestamp.hpp"

namespace lienthong::observability {
namespace {

thread_local const LogFields* t_current = nullptr;

// %R in the text pattern: " request_id=... trace_id=..." inside a scope.
class RequestFieldsFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const LogFields* fields = current_log_fields();
    if (fields == nullptr)
      return;
    append(dest, " request_id=", fields->request_id);
    append(dest, " trace_id=", fields->trace_id);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<RequestFieldsFlag>();
  }

 private:
  static void append(spdlog::memory_buf_t& dest, std::string_view name, std::string_view value) {
    if (value.empty())
      return;
    dest.append(name.data(), name.data() + name.size());
    dest.append(value.data(), value.data() + value.size());
  }
};

// One JSON object per line, for log collectors (Loki, Elasticsearch, ...).
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line;
    line["time"] = to_rfc3339(msg.time);
    const auto level = spdlog::level::to_string_view(msg.level);
    line["level"] = std::string_view(level.data(), level.size());
    line["logger"] = std::string_view(msg.logger_name.data(), msg.logger_name.size());
    line["thread"] = msg.thread_id;
    line["msg"] = std::string_view(msg.payload.data(), msg.payload.size());
    if (const LogFields* fields = current_log_fields()) {
      if (!fields->request_id.empty())
        line["request_id"] = fields->request_id;
      if (!fields->trace_id.empty())
        line["trace_id"] = fields->trace_id;
    }
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

LogScope::LogScope(std::string_view request_id, std::string_view trace_id)
    : fields_{request_id, trace_id}, previous_(t_current) {
  t_current = &fields_;
}

LogScope::~LogScope() {
  t_current = previous_;
}

const LogFields* current_log_fields() {
  return t_current;
}

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text")
    return LogFormat::kText;
  if (name == "json")
    return LogFormat::kJson;
  return std::nullopt;
}

std::shared_ptr<spdlog::logger> make_stdout_logger(const std::string& name, LogFormat format) {
  if (format == LogFormat::kJson) {
    auto logger = spdlog::stdout_logger_mt(name);
    logger->set_formatter(std::make_unique<JsonFormatter>());
    return logger;
  }
  auto logger = spdlog::stdout_color_mt(name);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<RequestFieldsFlag>('R').set_pattern(
      "%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%t] %v%R");
  logger->set_formatter(std::move(formatter));
  return logger;
}

}  // namespace lienthong::observability
